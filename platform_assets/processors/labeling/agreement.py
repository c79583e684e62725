"""Inter-annotator agreement: Cohen's kappa, Fleiss' kappa, Krippendorff's alpha (missing answers allowed).

Pure numpy over answers given as `{item: {annotator: value}}` (no dagster import). The formulas are the
textbook ones (Cohen 1960; Fleiss 1971; Krippendorff 2011, coincidence matrices); the tests compare each
with scikit-learn, statsmodels and the `krippendorff` package on the same data. An undefined statistic
(no pairable items, or every answer the same) is NaN.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np

Answers = Mapping[str, Mapping[str, str]]  # item -> annotator -> answer


def _kappa(observed: float, expected: float) -> float:
    return float("nan") if expected >= 1.0 else (observed - expected) / (1.0 - expected)


def cohen_kappa(a: Sequence, b: Sequence) -> float:
    """Cohen's kappa of two annotators' answers to the same items (unweighted)."""
    if len(a) != len(b) or not a:
        return float("nan")
    n = len(a)
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    ca, cb = Counter(a), Counter(b)
    expected = sum(ca[c] * cb[c] for c in set(ca) | set(cb)) / (n * n)
    return _kappa(observed, expected)


def busiest_pair(answers: Answers) -> tuple[str, str] | None:
    """The two annotators who answered the most items in common."""
    shared: Counter = Counter()
    for by in answers.values():
        people = sorted(by)
        shared.update((p, q) for i, p in enumerate(people) for q in people[i + 1 :])
    return max(shared, key=lambda pq: (shared[pq], pq)) if shared else None


def cohen_for_pair(answers: Answers, pair: tuple[str, str]) -> tuple[float, int]:
    """Cohen's kappa of `pair` over the items both answered, and how many those are."""
    both = [(by[pair[0]], by[pair[1]]) for by in answers.values() if pair[0] in by and pair[1] in by]
    return cohen_kappa([x for x, _ in both], [y for _, y in both]), len(both)


def fleiss_kappa(counts: np.ndarray) -> float:
    """Fleiss' kappa of an items x categories matrix of answer counts (same number of raters per item)."""
    counts = np.asarray(counts, dtype=float)
    if counts.size == 0:
        return float("nan")
    m = counts.sum(axis=1)
    if len(set(m)) != 1 or m[0] < 2:
        raise ValueError("Fleiss' kappa needs the same number (>= 2) of answers for every item")
    m = m[0]
    per_item = (np.square(counts).sum(axis=1) - m) / (m * (m - 1))
    shares = counts.sum(axis=0) / counts.sum()
    return _kappa(float(per_item.mean()), float(np.square(shares).sum()))


def fleiss_for(answers: Answers, categories: Sequence[str]) -> tuple[float, int, int]:
    """Fleiss' kappa over the items with the most common number (>= 2) of answers: (kappa, items, raters)."""
    sizes = Counter(len(by) for by in answers.values() if len(by) >= 2)
    if not sizes:
        return float("nan"), 0, 0
    raters = max(sizes, key=lambda s: (sizes[s], s))
    index = {c: i for i, c in enumerate(categories)}
    rows = [[0] * len(categories) for by in answers.values() if len(by) == raters]
    for row, by in zip(rows, [by for by in answers.values() if len(by) == raters], strict=True):
        for value in by.values():
            row[index[value]] += 1
    return fleiss_kappa(np.array(rows)), len(rows), raters


def krippendorff_alpha(data: np.ndarray, level: str = "nominal") -> float:
    """Krippendorff's alpha of a coders x units matrix (NaN = missing); level nominal, ordinal or interval.

    Values are numbers; for nominal data any codes will do, for ordinal data their order is the ranking.
    """
    data = np.asarray(data, dtype=float)
    values = np.unique(data[~np.isnan(data)])
    if len(values) < 2:
        return float("nan")
    index = {v: i for i, v in enumerate(values)}
    coincidence = np.zeros((len(values), len(values)))
    for unit in data.T:
        present = [index[v] for v in unit[~np.isnan(unit)]]
        m = len(present)
        if m < 2:
            continue
        counts = np.bincount(present, minlength=len(values)).astype(float)
        coincidence += (np.outer(counts, counts) - np.diag(counts)) / (m - 1)
    totals = coincidence.sum(axis=0)
    n = totals.sum()
    if n <= 1:
        return float("nan")
    delta = _delta(values, totals, level)
    observed = (coincidence * delta).sum()
    expected = (np.outer(totals, totals) * delta).sum() / (n - 1)
    return float("nan") if expected == 0 else float(1.0 - observed / expected)


def _delta(values: np.ndarray, totals: np.ndarray, level: str) -> np.ndarray:
    k = len(values)
    if level == "nominal":
        return 1.0 - np.eye(k)
    if level == "interval":
        return np.square(values[:, None] - values[None, :])
    if level == "ordinal":
        cum = np.cumsum(totals)
        out = np.zeros((k, k))
        for c in range(k):
            for d in range(k):
                lo, hi = min(c, d), max(c, d)
                between = cum[hi] - (cum[lo - 1] if lo > 0 else 0.0)
                out[c, d] = (between - (totals[c] + totals[d]) / 2.0) ** 2
        return out
    raise ValueError(f"level must be nominal, ordinal or interval, got {level!r}")


def reliability_matrix(answers: Answers, categories: Sequence[str]) -> np.ndarray:
    """Coders x items matrix of category positions (NaN where a coder did not answer)."""
    coders = sorted({a for by in answers.values() for a in by})
    items = sorted(answers)
    index = {c: float(i) for i, c in enumerate(categories)}
    out = np.full((len(coders), len(items)), np.nan)
    for j, item in enumerate(items):
        for i, coder in enumerate(coders):
            if coder in answers[item]:
                out[i, j] = index[answers[item][coder]]
    return out
