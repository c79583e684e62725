"""How far a held-out ROC AUC can be trusted: a stratified bootstrap interval and a minimum size.

The interval resamples the held-out positives and negatives separately, with replacement (their counts
stay fixed), recomputes the AUC each round and takes the 2.5th and 97.5th percentiles. With fewer than
`MIN_PER_CLASS` held-out texts of either class the figure is marked unreliable: a demo's 12 positives can
score 1.000 by chance, and the interval says how wide the chance is.
"""

from __future__ import annotations

import numpy as np

from platform_assets.processors.classifiers.ngram_model import roc_auc

MIN_PER_CLASS = 30
ROUNDS = 1000
LEVEL = 0.95


def auc_report(scores: np.ndarray, labels: np.ndarray, seed: int = 0) -> dict:
    """`holdout_size`, its class counts, the AUC's bootstrap interval and whether it is reliable."""
    labels = np.asarray(labels, bool)
    pos, neg = np.flatnonzero(labels), np.flatnonzero(~labels)
    low, high = bootstrap_interval(np.asarray(scores, float), pos, neg, seed)
    reliable = min(len(pos), len(neg)) >= MIN_PER_CLASS
    return {
        "holdout_size": int(len(labels)),
        "holdout_roc_auc_ci_low": low,
        "holdout_roc_auc_ci_high": high,
        "holdout_ci_level": LEVEL,
        "holdout_min_per_class": MIN_PER_CLASS,
        "holdout_reliable": reliable,
    }


def bootstrap_interval(scores: np.ndarray, pos: np.ndarray, neg: np.ndarray, seed: int
                       ) -> tuple[float, float]:
    """The percentile interval of the AUC over ROUNDS stratified resamples; NaN when a class is empty."""
    if len(pos) == 0 or len(neg) == 0:
        return float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    truth = np.r_[np.ones(len(pos), bool), np.zeros(len(neg), bool)]
    aucs = [
        roc_auc(np.r_[scores[rng.choice(pos, len(pos))], scores[rng.choice(neg, len(neg))]], truth)
        for _ in range(ROUNDS)
    ]
    tail = (1 - LEVEL) / 2 * 100
    low, high = np.percentile(aucs, [tail, 100 - tail])
    return float(low), float(high)


def describe(metrics: dict) -> str:
    """One line: the AUC, its interval and the held-out size, flagged when unreliable."""
    line = (
        f"held-out ROC AUC {metrics['holdout_roc_auc']:.3f} "
        f"({metrics['holdout_ci_level']:.0%} CI {metrics['holdout_roc_auc_ci_low']:.3f}-"
        f"{metrics['holdout_roc_auc_ci_high']:.3f}, n={metrics['holdout_size']}: "
        f"{metrics['n_holdout_pos']} pos / {metrics['n_holdout_neg']} neg)"
    )
    if not metrics["holdout_reliable"]:
        line += f"  UNRELIABLE: under {metrics['holdout_min_per_class']} held-out texts of a class"
    return line
