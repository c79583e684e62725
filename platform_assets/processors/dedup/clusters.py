"""Sorted key runs in, colliding pairs out: the shuffle side of dedup, separate from where it runs.

`chunk_pairs` turns one key-sorted chunk (whole key groups, as `SortedRuns.merged` or a shuffle bucket
yields them) into pairs joining each row to the first row of its key group. `collisions` drives it over the
stage's runs: exact groups first (their copies leave the band groups, as an exact copy follows the first copy
of its text), then every band, and fetches what `decide` needs for the colliding rows only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from platform_assets.processors.dedup.decide import Collisions, Decisions, Pairs, decide, dense, exact_copies
from platform_assets.processors.dedup.prior import PriorMatches
from platform_assets.processors.dedup.runs import SortedRuns

EXACT_GROUP = "exact"

# (rows ascending) -> (doc_ids, (rows, bands) band keys) of those rows
Fetch = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]


def band_group(band: int) -> str:
    return f"band{band:02d}"


def chunk_pairs(chunk: np.ndarray, width: int, leave_out: np.ndarray | None = None) -> Pairs:
    """(member row, head row) for every row of a key-sorted (n, width + 1) chunk whose key another row has;
    rows in `leave_out` (sorted) take no part."""
    if leave_out is not None and len(leave_out) and len(chunk):
        chunk = chunk[~np.isin(chunk[:, -1], leave_out)]
    if len(chunk) < 2:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    keys, rows = chunk[:, :width], chunk[:, -1].astype(np.int64)
    start = np.concatenate([[True], (keys[1:] != keys[:-1]).any(axis=1)])
    head = rows[np.flatnonzero(start)[np.cumsum(start) - 1]]
    linked = head != rows
    return rows[linked], head[linked]


def run_pairs(chunks: Iterable[np.ndarray], width: int, leave_out: np.ndarray | None = None) -> Pairs:
    found = [chunk_pairs(c, width, leave_out) for c in chunks]
    return (np.concatenate([f[0] for f in found] or [np.empty(0, np.int64)]),
            np.concatenate([f[1] for f in found] or [np.empty(0, np.int64)]))


def collisions(runs: SortedRuns, bands: int, fetch: Fetch,
               extra_rows: np.ndarray | None = None) -> Collisions:
    """Every colliding row of the stage's runs (plus `extra_rows`, e.g. rows matched in earlier days)."""
    exact = run_pairs(runs.merged(EXACT_GROUP), 2)
    involved = np.unique(np.concatenate(exact))
    copies = exact_copies(exact, involved, fetch(involved)[0]) if len(involved) else involved
    near = [run_pairs(runs.merged(band_group(b)), 1, copies) for b in range(bands)]
    near_pairs = (np.concatenate([n[0] for n in near] or [np.empty(0, np.int64)]),
                  np.concatenate([n[1] for n in near] or [np.empty(0, np.int64)]))
    parts = [involved, *near_pairs]
    if extra_rows is not None:
        parts.append(np.asarray(extra_rows, np.int64))
    rows = np.unique(np.concatenate(parts).astype(np.int64))
    doc_ids, keys = fetch(rows) if len(rows) else (np.empty(0, object), np.empty((0, bands), np.uint64))
    return Collisions(rows=rows, doc_ids=doc_ids, keys=keys, exact=exact, near=near_pairs)


def decide_arrays(doc_ids: np.ndarray, exact: np.ndarray, keys: np.ndarray, present: np.ndarray,
                  prior: PriorMatches | None = None, spill_bytes: int = 1 << 40) -> Decisions:
    """Decisions for documents held in memory (row = position), one per document; `spill_bytes` small
    sends the keys through spilled runs exactly as the stage does."""
    runs = SortedRuns({EXACT_GROUP: 2, **{band_group(b): 1 for b in range(keys.shape[1])}}, spill_bytes)
    try:
        rows = np.arange(len(doc_ids), dtype=np.int64)
        runs.add(EXACT_GROUP, exact, rows)
        for b in range(keys.shape[1]):
            runs.add(band_group(b), keys[present, b], rows[present])
        extra = np.asarray(prior.current if prior else [], np.int64)
        found = collisions(runs, keys.shape[1], lambda r: (doc_ids[r], keys[r]), extra)
        return dense(decide(found, prior), doc_ids)
    finally:
        runs.close()
