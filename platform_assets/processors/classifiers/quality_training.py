"""Training recipe for the quality model: reference set vs random clean documents, with held-out metrics.

Negatives are cut to lengths drawn from the reference set's lengths before anything else, so the two classes
share one length distribution: the held-out AUC then measures what the model learned from the words, and
the length-only baseline computed on the same held-out texts stays near 0.5 instead of looking perfect.
The YAML config (`dbt_like_sql/quality/<model>.yaml`) is validated here; errors name the file and key.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field

from platform_assets.processors.classifiers.heldout import auc_report
from platform_assets.processors.classifiers.ngram_model import (
    NgramModel,
    TrainParams,
    precision_recall_at,
    roc_auc,
    train,
)
from platform_assets.processors.hashing import hash64, unit_interval
from platform_assets.specs import load_yaml_model

TRAINING_VERSION = "length_matched_v2"  # bump when the recipe's code changes what a config trains


class NegativesConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    filter: str | None = "domain = 'prose'"  # Lance SQL over clean_documents
    max_docs: int = Field(5000, gt=0)
    match_lengths: bool = True  # cut negatives to the reference set's length distribution


class TrainingConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    n_buckets: int = Field(1 << 18, gt=0)
    bigrams: bool = True
    l2: float = Field(1e-6, ge=0)
    epochs: int = Field(150, gt=0)
    learning_rate: float = Field(0.05, gt=0)


class LabelsConfig(BaseModel):
    """Human labels as extra training data: `adjudicated_labels` of labeling queue `queue` at the pinned
    label `version` (tag `labels-<queue>-v<version>`); answers in `positive` / `negative` become positives
    / negatives. The queue's random (gold) slice is never trained on; it measures accuracy."""

    model_config = ConfigDict(extra="forbid")
    queue: str
    version: int = Field(ge=1)
    positive: list[str] = Field(min_length=1)
    negative: list[str] = Field(min_length=1)


class QualityConfig(BaseModel):
    """A quality model recipe: which reference files are positive, how negatives are drawn, how to train."""

    model_config = ConfigDict(extra="forbid")
    model: str
    reference: list[str] = Field(min_length=1)  # globs relative to the config file
    negatives: NegativesConfig = NegativesConfig()
    training: TrainingConfig = TrainingConfig()
    holdout_fraction: float = Field(0.2, gt=0, lt=1)
    keep_fraction: float = Field(0.1, gt=0, le=1)
    seed: int = 13
    labels: LabelsConfig | None = None


def load_config(path: Path) -> QualityConfig:
    """One quality recipe; a problem is a SpecError naming the file, line and key."""
    return load_yaml_model(path, QualityConfig)


def load_reference(config: QualityConfig, base: Path) -> list[str]:
    """Texts of every reference JSONL line (`{"text": ...}`); bad lines raise naming file and line."""
    files = sorted({p for pattern in config.reference for p in base.glob(pattern)})
    if not files:
        raise ValueError(f"{base}: quality reference globs {config.reference} match no file")
    texts = []
    for f in files:
        for n, line in enumerate(f.read_text().splitlines(), 1):
            if not line.strip():
                continue
            try:
                text = json.loads(line)["text"]
            except (json.JSONDecodeError, KeyError, TypeError) as e:
                raise ValueError(
                    f"{f}:{n}: reference line needs a JSON object with a 'text' field ({e})"
                ) from None
            if not isinstance(text, str) or not text.strip():
                raise ValueError(f"{f}:{n}: field 'text' must be a non-empty string")
            texts.append(text)
    return texts


def is_holdout(texts: list[str], fraction: float, seed: int, labels: np.ndarray | None = None) -> np.ndarray:
    """A stable split: a text is held out when its hash falls in the first `fraction` of the range.

    With `labels`, each class with at least two texts also holds out its lowest-hash text and trains on its
    highest-hash one, so a small class can never be missing from either side by the luck of the hash.
    """
    units = unit_interval(hash64(texts, seed, len(texts)))
    held = units < fraction
    if labels is not None:
        for label in np.unique(labels):
            members = np.flatnonzero(labels == label)
            if len(members) >= 2:
                order = members[np.argsort(units[members])]
                held[order[0]], held[order[-1]] = True, False
    return held


def match_lengths(texts: list[str], lengths: list[int], seed: int) -> list[str]:
    """Each text longer than a length drawn (by its hash) from `lengths`, cut there at a word boundary."""
    out = []
    for text in texts:
        target = lengths[int(hash64([text], seed)[0]) % len(lengths)]
        out.append((text[:target].rsplit(maxsplit=1) or [""])[0] if len(text) > target else text)
    return out


def train_quality(positives: list[str], negatives: list[str], config: QualityConfig) -> NgramModel:
    """Trains on the non-held-out texts; metrics and the keep threshold come from the held-out ones."""
    if config.negatives.match_lengths:
        negatives = match_lengths(negatives, [len(t) for t in positives], config.seed)
    texts = positives + negatives
    labels = np.array([1] * len(positives) + [0] * len(negatives))
    held = is_holdout(texts, config.holdout_fraction, config.seed, labels)
    for name, mask in (("training", ~held), ("held-out", held)):
        if len(set(labels[mask])) < 2:
            raise ValueError(
                f"quality {config.model}: the {name} split lacks a class "
                f"({len(positives)} reference texts, {len(negatives)} clean documents)"
            )
    arr = pa.array(texts, pa.large_string())
    model = train(arr.filter(pa.array(~held)), labels[~held], TrainParams(**config.training.model_dump()))
    scores = model.predict_proba(arr.filter(pa.array(held)))
    y = labels[held]
    threshold = float(np.quantile(scores[y == 0], 1 - config.keep_fraction))
    precision, recall = precision_recall_at(scores, y, threshold)
    lengths = np.array([len(t) for t in texts], dtype=float)
    sign = (
        1.0
        if lengths[~held][labels[~held] == 1].mean() >= lengths[~held][labels[~held] == 0].mean()
        else -1.0
    )
    metrics = {
        "holdout_roc_auc": roc_auc(scores, y),
        "length_baseline_roc_auc": roc_auc(sign * lengths[held], y),
        "precision_at_threshold": precision,
        "recall_at_threshold": recall,
        "threshold": threshold,
        "keep_fraction": config.keep_fraction,
        "n_train_pos": int(labels[~held].sum()),
        "n_train_neg": int((labels[~held] == 0).sum()),
        "n_holdout_pos": int(y.sum()),
        "n_holdout_neg": int((y == 0).sum()),
        **auc_report(scores, y, config.seed),
    }
    return NgramModel(model.weights, model.bias, model.params, threshold=threshold, metrics=metrics)
