"""Dedup decisions for one partition: exact duplicates, then MinHash-LSH clusters; first seen wins.

A document whose doc_id clean_documents already holds on another day (the same record delivered again:
same source, id and text) is dropped as `redelivered`, so a doc_id is never clean twice in the lake.

"First seen" is the smallest (day, doc_id). Documents of earlier days (incremental scope) come before every
document of the partition, so a cluster that reaches an earlier day keeps nothing from this one.

Only colliding documents are decided (those in a pair: the same exact hash, a shared band key, a match in an
earlier day's index); every other document is kept as a cluster of one. Memory: the colliding documents.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from platform_assets.processors.dedup.prior import PriorMatches
from platform_assets.processors.dedup.union_find import components

EXACT, NEAR, REDELIVERED = "exact_duplicate", "near_duplicate", "redelivered"
Pairs = tuple[np.ndarray, np.ndarray]


@dataclass
class Collisions:
    """The colliding documents (by row number, ascending) and the pairs joining them.

    `exact` pairs join a document to another with the same exact hash; `near` pairs share a band key and
    leave out exact copies (documents whose exact hash a smaller doc_id has: see `exact_copies`).
    """

    rows: np.ndarray        # int64, ascending, unique
    doc_ids: np.ndarray     # object, one per row
    keys: np.ndarray        # (rows, bands) uint64 band keys; any value where a document had no shingle
    exact: Pairs
    near: Pairs


@dataclass
class Decisions:
    """Per decided document (row numbers ascending): kept or why not, the kept document it duplicates, its
    cluster. A row not listed is kept, alone in its cluster (`lookup`)."""

    rows: np.ndarray            # int64
    keep: np.ndarray            # bool
    reason: np.ndarray          # object: None, EXACT, NEAR or REDELIVERED
    duplicate_of: np.ndarray    # object: doc_id of the kept document of its cluster (None when kept)
    score: np.ndarray           # float64: 1.0 for exact; share of band keys shared with duplicate_of
    cluster_id: np.ndarray      # object: doc_id of the cluster's kept document
    cluster_size: np.ndarray    # int32: documents of this partition in the cluster (kept rows only)

    def count(self, reason: str) -> int:
        return int(np.count_nonzero(self.reason == reason))

    def find(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each row: whether it is decided here, and its position (valid where decided)."""
        pos = np.searchsorted(self.rows, rows)
        hit = pos < len(self.rows)
        hit[hit] = self.rows[pos[hit]] == rows[hit]
        return hit, pos

    def lookup(self, rows: np.ndarray, doc_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """keep, cluster_id and cluster_size of `rows` (whose doc_ids are `doc_ids`)."""
        hit, pos = self.find(rows)
        keep, size, cluster = np.ones(len(rows), bool), np.ones(len(rows), np.int32), doc_ids.astype(object)
        keep[hit], size[hit], cluster[hit] = (a[pos[hit]] for a in (self.keep, self.cluster_size,
                                                                   self.cluster_id))
        return keep, cluster, size


def exact_copies(pairs: Pairs, rows: np.ndarray, doc_ids: np.ndarray) -> np.ndarray:
    """Rows whose exact hash a smaller (doc_id, row) also has: `pairs` join each member of an exact group
    to one member of it (its head); `rows` (ascending) and `doc_ids` cover every row in a pair."""
    rank = _ranks(doc_ids)
    node = np.arange(len(rows))
    member, head = (np.searchsorted(rows, p) for p in pairs)
    group = node.copy()
    group[member] = head
    first = rank.copy()
    np.minimum.at(first, head, rank[member])
    return rows[first[group] != rank]


def _ranks(doc_ids: np.ndarray) -> np.ndarray:
    order = np.argsort(doc_ids.astype(str), kind="stable")  # one day: doc_id decides, then row order
    rank = np.empty(len(doc_ids), np.int64)
    rank[order] = np.arange(len(doc_ids))
    return rank


def decide(c: Collisions, prior: PriorMatches | None = None) -> Decisions:
    """Clusters of the colliding documents (union-find over the pairs) and who each cluster keeps."""
    prior_ids = sorted(set(zip(prior.prior_day, prior.prior_id, strict=True))) if prior else []
    offset = len(prior_ids)  # node = offset + rank for this partition; earlier days are nodes 0..offset-1
    node = offset + _ranks(c.doc_ids)

    def nodes(r: np.ndarray) -> np.ndarray:
        return node[np.searchsorted(c.rows, np.asarray(r, np.int64))]

    copies = exact_copies(c.exact, c.rows, c.doc_ids)
    is_exact = np.isin(c.rows, copies)
    first = node.copy()  # node of the first document with the same text
    member, head = (np.searchsorted(c.rows, p) for p in c.exact)
    np.minimum.at(first, head, node[member])
    group = np.arange(len(c.rows))
    group[member] = head
    exact_first = first[group]
    a, b = [nodes(c.near[0]), nodes(c.exact[0])], [nodes(c.near[1]), nodes(c.exact[1])]
    if prior:
        where = {p: i for i, p in enumerate(prior_ids)}
        a.append(nodes(prior.current))
        b.append(np.array([where[p] for p in zip(prior.prior_day, prior.prior_id, strict=True)], np.int64))
    root = components(offset + len(c.rows), np.concatenate(a), np.concatenate(b))
    rep = root[exact_first]  # an exact duplicate follows the first copy of its text
    return _decisions(c, node, rep, is_exact, prior_ids, prior)


def _decisions(c: Collisions, node: np.ndarray, rep: np.ndarray, is_exact: np.ndarray,
               prior_ids: list[tuple[str, str]], prior: PriorMatches | None) -> Decisions:
    offset = len(prior_ids)
    keep = rep == node
    from_prior = rep < offset
    by_node = np.empty(len(node), np.int64)
    by_node[node - offset] = np.arange(len(node))
    rep_index = by_node[np.where(from_prior, offset, rep) - offset]  # valid only where not from_prior
    rep_id = np.where(from_prior, None, c.doc_ids[rep_index]).astype(object)
    for i in np.flatnonzero(from_prior):
        rep_id[i] = prior_ids[rep[i]][1]
    reason = np.where(keep, None, np.where(is_exact, EXACT, NEAR)).astype(object)
    shared = (c.keys == c.keys[rep_index]).mean(axis=1) if c.keys.shape[1] else np.zeros(len(keep))
    score = np.where(is_exact, 1.0, np.where(from_prior, 0.0, shared))
    if prior:
        row_of = c.rows
        direct = {(int(i), pid): s for i, pid, s in zip(prior.current, prior.prior_id, prior.shared_bands,
                                                        strict=True)}
        for i in np.flatnonzero(from_prior & ~is_exact):
            score[i] = direct.get((int(row_of[i]), rep_id[i]), 0) / c.keys.shape[1]
    size = np.bincount(rep[~from_prior] - offset, minlength=len(node))[node - offset].astype(np.int32)
    return Decisions(
        rows=c.rows, keep=keep, reason=reason, duplicate_of=np.where(keep, None, rep_id).astype(object),
        score=np.where(keep, np.nan, score), cluster_id=rep_id, cluster_size=np.where(keep, size, 0),
    )


def mark_redelivered(d: Decisions, rows: np.ndarray, doc_ids: np.ndarray) -> Decisions:
    """`d` with the kept documents among `rows` (doc_ids clean on another day) dropped as re-deliveries."""
    hit, pos = d.find(rows)
    again = ~hit
    again[hit] = d.keep[pos[hit]]
    rows, doc_ids = rows[again], doc_ids[again]
    if not len(rows):
        return d
    n = len(rows)
    extra = Decisions(rows=rows, keep=np.zeros(n, bool), reason=np.full(n, REDELIVERED, object),
                      duplicate_of=doc_ids.astype(object), score=np.ones(n),
                      cluster_id=doc_ids.astype(object), cluster_size=np.zeros(n, np.int32))
    keep = ~np.isin(d.rows, rows)
    fields = Decisions.__dataclass_fields__
    merged = {f: np.concatenate([getattr(d, f)[keep], getattr(extra, f)]) for f in fields}
    order = np.argsort(merged["rows"], kind="stable")
    return Decisions(**{f: v[order] for f, v in merged.items()})


def dense(d: Decisions, doc_ids: np.ndarray) -> Decisions:
    """`d` with a row for every document 0..len(doc_ids)-1 (those not decided: kept alone)."""
    n = len(doc_ids)
    rows = np.arange(n, dtype=np.int64)
    keep, cluster, size = d.lookup(rows, np.asarray(doc_ids, object))
    hit, pos = d.find(rows)
    reason, dup, score = np.full(n, None, object), np.full(n, None, object), np.full(n, np.nan)
    reason[hit], dup[hit], score[hit] = d.reason[pos[hit]], d.duplicate_of[pos[hit]], d.score[pos[hit]]
    return Decisions(rows=rows, keep=keep, reason=reason, duplicate_of=dup, score=score, cluster_id=cluster,
                     cluster_size=size)
