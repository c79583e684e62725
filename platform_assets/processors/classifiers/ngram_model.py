"""A logistic regression over hashed word n-grams (the GPT-3 / DCLM fastText recipe, in numpy).

A document's features are its n-gram bucket counts divided by its n-gram count (fastText's bag-of-n-grams
average), so `logit = bias + mean(weights[bucket] for each n-gram)` and scoring is a gather plus a bincount.
Training is full-batch Adam on the L2-regularised log loss over the (document, bucket) pairs.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from platform_assets.processors.classifiers.hashed_ngrams import chunk_buckets, ngram_buckets

FEATURES_VERSION = "hashed_ngrams_v1"  # bump when tokenisation or hashing changes


@dataclass(frozen=True)
class TrainParams:
    n_buckets: int = 1 << 18
    bigrams: bool = True
    l2: float = 1e-6
    epochs: int = 150
    learning_rate: float = 0.05


@dataclass(frozen=True)
class NgramModel:
    """Trained weights plus how to featurize; `threshold` is the keep cut on the probability."""

    weights: np.ndarray
    bias: float
    params: TrainParams
    threshold: float = 0.5
    metrics: dict = field(default_factory=dict)

    def logits(self, texts: pa.Array) -> np.ndarray:
        logits = np.full(len(texts), self.bias)
        for first, buckets, rows, counts in chunk_buckets(texts, self.params.n_buckets, self.params.bigrams):
            sums = np.bincount(rows, weights=self.weights[buckets], minlength=len(counts))
            logits[first : first + len(counts)] += sums / np.maximum(counts, 1)
        return logits

    def predict_proba(self, texts: pa.Array) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.logits(texts)))

    @property
    def version(self) -> str:
        """Content hash of the weights, bias, threshold and featurization: equal models, equal version."""
        h = hashlib.sha256(self.weights.astype("<f4").tobytes())
        h.update(json.dumps([self.bias, self.threshold, FEATURES_VERSION, vars(self.params)]).encode())
        return h.hexdigest()[:16]


def _design(texts: pa.Array, params: TrainParams) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sparse rows: (row, bucket, value) with duplicates summed; value = count / n-grams in the row."""
    buckets, rows, counts = ngram_buckets(texts, params.n_buckets, params.bigrams)
    keys, freq = np.unique(rows * params.n_buckets + buckets, return_counts=True)
    r, c = keys // params.n_buckets, keys % params.n_buckets
    return r, c, freq / np.maximum(counts[r], 1)


def train(texts: pa.Array, labels: np.ndarray, params: TrainParams | None = None) -> NgramModel:
    """Fits the model to `labels` (1 = high quality, 0 = not); deterministic for the same inputs."""
    params = params or TrainParams()
    y = np.asarray(labels, dtype=np.float64)
    if len(y) != len(texts) or not (0 < y.sum() < len(y)):
        raise ValueError(
            f"training needs both classes and one label per text (got {len(texts)} texts, "
            f"{int(y.sum())} positives of {len(y)} labels)"
        )
    r, c, v = _design(texts, params)
    w, b = np.zeros(params.n_buckets), float(np.log(y.mean() / (1 - y.mean())))
    m, s = np.zeros(params.n_buckets + 1), np.zeros(params.n_buckets + 1)
    n = len(y)
    for t in range(1, params.epochs + 1):
        z = b + np.bincount(r, weights=w[c] * v, minlength=n)
        g = 1.0 / (1.0 + np.exp(-z)) - y
        grad = np.append(
            np.bincount(c, weights=g[r] * v, minlength=params.n_buckets) / n + params.l2 * w, g.mean()
        )
        m = 0.9 * m + 0.1 * grad
        s = 0.999 * s + 0.001 * grad * grad
        step = params.learning_rate * (m / (1 - 0.9**t)) / (np.sqrt(s / (1 - 0.999**t)) + 1e-8)
        w -= step[:-1]
        b -= float(step[-1])
    return NgramModel(weights=w.astype(np.float32), bias=b, params=params)


def roc_auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """Area under the ROC curve (Mann-Whitney U with average ranks for ties)."""
    scores, labels = np.asarray(scores, float), np.asarray(labels, bool)
    pos, neg = labels.sum(), (~labels).sum()
    if pos == 0 or neg == 0:
        return float("nan")
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores))
    sorted_scores = scores[order]
    _, first, counts = np.unique(sorted_scores, return_index=True, return_counts=True)
    ranks[order] = np.repeat(first + (counts + 1) / 2.0, counts)
    return float((ranks[labels].sum() - pos * (pos + 1) / 2.0) / (pos * neg))


def precision_recall_at(scores: np.ndarray, labels: np.ndarray, threshold: float) -> tuple[float, float]:
    keep = np.asarray(scores) >= threshold
    labels = np.asarray(labels, bool)
    tp = float((keep & labels).sum())
    return (
        tp / keep.sum() if keep.any() else float("nan"),
        tp / labels.sum() if labels.any() else float("nan"),
    )


def to_table(model: NgramModel, name: str, info: dict | None = None) -> pa.Table:
    """One row: the model as a versioned artifact (weights as little-endian float32 bytes) and its metrics."""
    metrics = {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in model.metrics.items()}
    row = {
        "model_name": name,
        "model_version": model.version,
        "features_version": FEATURES_VERSION,
        "n_buckets": model.params.n_buckets,
        "bigrams": model.params.bigrams,
        "bias": model.bias,
        "threshold": model.threshold,
        "weights": model.weights.astype("<f4").tobytes(),
        "params": json.dumps(vars(model.params)),
        "metrics": json.dumps(metrics, sort_keys=True),
        "info": json.dumps(info or {}, sort_keys=True, default=str),
    }
    schema = pa.schema(
        [
            ("model_name", pa.string()),
            ("model_version", pa.string()),
            ("features_version", pa.string()),
            ("n_buckets", pa.int64()),
            ("bigrams", pa.bool_()),
            ("bias", pa.float64()),
            ("threshold", pa.float64()),
            ("weights", pa.large_binary()),
            ("params", pa.string()),
            ("metrics", pa.string()),
            ("info", pa.string()),
        ]
    )
    return pa.Table.from_pylist([row], schema=schema)


def from_table(table: pa.Table, name: str | None = None) -> NgramModel:
    """The model stored by `to_table` (the row named `name`, or the only row)."""
    rows = table.to_pylist()
    if name is not None:
        rows = [r for r in rows if r["model_name"] == name]
    if len(rows) != 1:
        raise ValueError(f"expected one stored model{f' named {name!r}' if name else ''}, found {len(rows)}")
    row = rows[0]
    if row["features_version"] != FEATURES_VERSION:
        raise ValueError(
            f"stored model uses features {row['features_version']!r}, this code {FEATURES_VERSION!r}; "
            "retrain quality_model"
        )
    params = TrainParams(**json.loads(row["params"]))
    weights = np.frombuffer(row["weights"], dtype="<f4").copy()
    if weights.size != params.n_buckets:
        raise ValueError(f"stored weights have {weights.size} values for {params.n_buckets} buckets")
    return NgramModel(
        weights=weights,
        bias=row["bias"],
        params=params,
        threshold=row["threshold"],
        metrics=json.loads(row["metrics"]),
    )
