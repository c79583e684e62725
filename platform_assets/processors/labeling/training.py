"""Adjudicated human labels as classifier training data, and accuracy on the gold slice.

Pure (no dagster import). Items of the random slice are the gold slice: they are never trained on, so the
accuracy measured on them before and after retraining is unbiased by the sampling.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

GOLD_SLICE = "random"


@dataclass(frozen=True)
class LabeledTexts:
    positives: list[str]
    negatives: list[str]
    gold_texts: list[str]
    gold_truth: np.ndarray  # bool: the gold item's label is a positive answer


def split(rows: list[dict], positive: list[str], negative: list[str]) -> LabeledTexts:
    """Decided labels (ties and unlisted answers skipped) split into training texts and the gold slice."""
    pos, neg, gold, truth = [], [], [], []
    for row in rows:
        label, text = row["label"], row["text"]
        if label is None or not text or (label not in positive and label not in negative):
            continue
        if row["slice"] == GOLD_SLICE:
            gold.append(text)
            truth.append(label in positive)
        else:
            (pos if label in positive else neg).append(text)
    return LabeledTexts(pos, neg, gold, np.array(truth, dtype=bool))


def accuracy(scores: np.ndarray, threshold: float, truth: np.ndarray) -> float | None:
    """Share of gold items where `score >= threshold` agrees with the human label (None without items)."""
    if len(truth) == 0:
        return None
    return float(np.mean((np.asarray(scores) >= threshold) == truth))
