"""Incremental scope: find documents of earlier days (near_dup_index rows) that share a band key."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


@dataclass
class PriorMatches:
    """Pairs (current document index, earlier document) that collided in at least one band."""

    current: list[int] = field(default_factory=list)
    prior_day: list[str] = field(default_factory=list)
    prior_id: list[str] = field(default_factory=list)
    shared_bands: list[int] = field(default_factory=list)
    rows_checked: int = 0

    def __len__(self) -> int:
        return len(self.current)


def index_bands(batch: pa.RecordBatch, bands: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows of a near_dup_index batch that have band keys, and their (rows, bands) uint64 matrix.

    A document without shingles (too short) is indexed with no keys: it can never collide.
    """
    col = batch.column("bands")
    lens = pc.fill_null(col.value_lengths(), 0).to_numpy(zero_copy_only=False)
    bad = np.flatnonzero((lens != bands) & (lens != 0))
    if len(bad):
        raise ValueError(f"near_dup_index row {batch.column('doc_id')[int(bad[0])]} has {lens[bad[0]]} band "
                         f"keys, the preset has {bands}; was it written with another preset?")
    rows = np.flatnonzero(lens == bands)
    return rows, col.flatten().to_numpy(zero_copy_only=False).astype(np.uint64).reshape(-1, bands)


def sorted_per_band(keys: np.ndarray, present: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per band, the keys of the rows that have them (`present`), sorted, and each key's row: the form
    `match_sorted` and `index_lookup` search."""
    cur = np.flatnonzero(present)
    per_band = []
    for b in range(keys.shape[1]):
        order = np.argsort(keys[cur, b], kind="stable")
        per_band.append((keys[cur, b][order], cur[order]))
    return per_band


def match_prior(keys: np.ndarray, present: np.ndarray, index: Iterable[pa.RecordBatch]) -> PriorMatches:
    """Streams earlier index rows (doc_id, day, bands) against the current band keys held in memory."""
    return match_sorted(sorted_per_band(keys, present), index)


def match_sorted(per_band: list[tuple[np.ndarray, np.ndarray]],
                 index: Iterable[pa.RecordBatch]) -> PriorMatches:
    """Streams earlier index rows (doc_id, day, bands) against the current documents' band keys, given per
    band as (sorted keys, owner) arrays (in memory or memory-mapped); memory is one index batch.

    Documents of the current partition that share a key are unioned anyway, so each key maps to one of
    them.
    """
    matches = PriorMatches()
    bands = len(per_band)
    for batch in index:
        matches.rows_checked += batch.num_rows
        if not batch.num_rows or not bands or not len(per_band[0][0]):
            continue
        rows, prior = index_bands(batch, bands)
        hits: dict[tuple[int, int], int] = {}
        for b, (sorted_keys, owners) in enumerate(per_band):
            pos = np.minimum(np.searchsorted(sorted_keys, prior[:, b]), len(sorted_keys) - 1)
            for k in np.flatnonzero(sorted_keys[pos] == prior[:, b]).tolist():
                pair = (int(owners[pos[k]]), int(rows[k]))
                hits[pair] = hits.get(pair, 0) + 1
        if hits:
            days, ids = batch.column("day").to_pylist(), batch.column("doc_id").to_pylist()
            for (i, row), shared in hits.items():
                matches.current.append(i)
                matches.prior_day.append(days[row])
                matches.prior_id.append(ids[row])
                matches.shared_bands.append(shared)
    return matches
