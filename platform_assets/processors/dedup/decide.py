"""Dedup decisions for one partition: exact duplicates, then MinHash-LSH clusters; first seen wins.

A document whose doc_id clean_documents already holds on another day (the same record delivered again:
same source, id and text) is dropped as `redelivered`, so a doc_id is never clean twice in the lake.

"First seen" is the smallest (day, doc_id). Documents of earlier days (incremental scope) come before every
document of the partition, so a cluster that reaches an earlier day keeps nothing from this one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from platform_assets.processors.dedup.prior import PriorMatches
from platform_assets.processors.dedup.union_find import collision_edges, components

EXACT, NEAR, REDELIVERED = "exact_duplicate", "near_duplicate", "redelivered"


@dataclass
class Decisions:
    """Per document (input order): kept or why not, the kept document it duplicates, its cluster."""

    keep: np.ndarray            # bool
    reason: np.ndarray          # object: None, EXACT or NEAR
    duplicate_of: np.ndarray    # object: doc_id of the kept document of its cluster (None when kept)
    score: np.ndarray           # float64: 1.0 for exact; share of band keys shared with duplicate_of
    cluster_id: np.ndarray      # object: doc_id of the cluster's kept document
    cluster_size: np.ndarray    # int32: documents of this partition in the cluster (kept rows only)

    def count(self, reason: str) -> int:
        return int(np.count_nonzero(self.reason == reason))


def decide(
    doc_ids: np.ndarray, exact: np.ndarray, keys: np.ndarray, present: np.ndarray,
    prior: PriorMatches | None = None,
) -> Decisions:
    n = len(doc_ids)
    order = np.argsort(doc_ids.astype(str), kind="stable")  # rank -> index (one day: doc_id decides)
    rank = np.empty(n, np.int64)
    rank[order] = np.arange(n)
    prior_ids = sorted(set(zip(prior.prior_day, prior.prior_id, strict=True))) if prior else []
    offset = len(prior_ids)  # node = offset + rank for this partition; earlier days are nodes 0..offset-1
    node = offset + rank

    exact_first = _first_of_equal(exact, rank)  # rank of the first document with the same text
    is_exact = exact_first != rank
    near = ~is_exact & present
    a, b = [], []
    idx = np.flatnonzero(near)
    for band in range(keys.shape[1]):
        ea, eb = collision_edges(keys[idx, band], node[idx])
        a.append(ea)
        b.append(eb)
    if prior:
        where = {p: i for i, p in enumerate(prior_ids)}
        a.append(node[np.asarray(prior.current, np.int64)])
        b.append(np.array([where[p] for p in zip(prior.prior_day, prior.prior_id, strict=True)], np.int64))
    root = components(offset + n, np.concatenate(a or [[]]), np.concatenate(b or [[]]))
    rep = root[offset + exact_first]  # an exact duplicate follows the first copy of its text
    return _decisions(doc_ids, order, node, rep, is_exact, keys, prior_ids, prior)


def _first_of_equal(exact: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """For each document, the smallest rank among documents with the same exact hash."""
    _, inverse = np.unique(exact.view("V16").ravel(), return_inverse=True)
    first = np.full(inverse.max() + 1 if len(inverse) else 0, np.iinfo(np.int64).max)
    np.minimum.at(first, inverse, rank)
    return first[inverse]


def _decisions(
    doc_ids: np.ndarray, order: np.ndarray, node: np.ndarray, rep: np.ndarray, is_exact: np.ndarray,
    keys: np.ndarray, prior_ids: list[tuple[str, str]], prior: PriorMatches | None,
) -> Decisions:
    offset = len(prior_ids)
    keep = rep == node
    from_prior = rep < offset
    rep_index = order[np.where(from_prior, 0, rep - offset)]  # valid only where not from_prior
    rep_id = np.where(from_prior, None, doc_ids[rep_index]).astype(object)
    for i in np.flatnonzero(from_prior):
        rep_id[i] = prior_ids[rep[i]][1]
    reason = np.where(keep, None, np.where(is_exact, EXACT, NEAR)).astype(object)
    shared = (keys == keys[rep_index]).mean(axis=1) if keys.shape[1] else np.zeros(len(keep))
    score = np.where(is_exact, 1.0, np.where(from_prior, 0.0, shared))
    if prior:
        direct = {(i, pid): s for i, pid, s in zip(prior.current, prior.prior_id, prior.shared_bands,
                                                   strict=True)}
        for i in np.flatnonzero(from_prior & ~is_exact):
            score[i] = direct.get((int(i), rep_id[i]), 0) / keys.shape[1]
    size = np.bincount(rep[~from_prior] - offset, minlength=len(keep))[node - offset].astype(np.int32)
    return Decisions(
        keep=keep, reason=reason, duplicate_of=np.where(keep, None, rep_id).astype(object),
        score=np.where(keep, np.nan, score), cluster_id=rep_id, cluster_size=np.where(keep, size, 0),
    )


def mark_redelivered(d: Decisions, doc_ids: np.ndarray, held: set[str]) -> int:
    """Drops kept documents whose doc_id is clean on another day; returns how many."""
    if not held or not len(doc_ids):
        return 0
    again = d.keep & np.fromiter((i in held for i in doc_ids), bool, len(doc_ids))
    d.keep[again] = False
    d.reason[again] = REDELIVERED
    d.duplicate_of[again] = doc_ids[again]
    d.score[again] = 1.0
    d.cluster_size[again] = 0
    return int(again.sum())
