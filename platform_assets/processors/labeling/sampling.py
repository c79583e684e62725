"""Which candidate items become labeling tasks: random, uncertainty, disagreement and stratified slices.

Pure Arrow + numpy over the candidates a queue's SQL returned (no dagster import). Every choice is a
function of the seed and the item ids, so the same candidates give the same tasks.

1. `random`: a uniform sample (smallest seeded hashes) over all candidates: the gold slice, so accuracy
   measured on it is unbiased by the other slices' choices.
2. `uncertainty`: scores nearest the decision threshold, round-robin over the strata.
3. `disagreement`: items whose two classifier labels differ, round-robin over the strata.
4. `stratified`: the rest of `size`, spread evenly over the strata (random within each).
A slice short of candidates leaves its share to the next one; the random slice is never empty.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from platform_assets.processors.hashing import hash64

SLICES = ("random", "uncertainty", "disagreement", "stratified")


@dataclass(frozen=True)
class Plan:
    """A queue's sampling plan in plain values (the spec's `sampling` and `overlap`)."""

    size: int
    seed: int
    random: float
    uncertainty: float = 0.0
    disagreement: float = 0.0
    disagreement_columns: tuple[str, str] | None = None
    strata: tuple[str, ...] = ()
    overlap_fraction: float = 0.0
    overlap_annotators: int = 2


def item_hash(ids: list[str], seed: int, salt: str) -> np.ndarray:
    return hash64((f"{salt}\0{i}" for i in ids), seed, len(ids))


def strata_of(table: pa.Table, columns: tuple[str, ...]) -> list[str]:
    """`source=web|domain=prose|day=2026-01-02` per row (missing columns are skipped)."""
    present = [c for c in columns if c in table.column_names]
    values = [table.column(c).cast(pa.string()).to_pylist() for c in present]
    if not present:
        return ["all"] * table.num_rows
    rows = zip(*values, strict=True)
    return ["|".join(f"{c}={v}" for c, v in zip(present, row, strict=True)) for row in rows]


def _round_robin(order: np.ndarray, strata: list[str], k: int, taken: np.ndarray) -> list[int]:
    """Up to `k` rows from `order` (best first), alternating between strata, skipping `taken` rows."""
    queues: dict[str, list[int]] = {}
    for i in order:
        if not taken[i]:
            queues.setdefault(strata[i], []).append(int(i))
    picked: list[int] = []
    position = dict.fromkeys(queues, 0)
    while len(picked) < k and any(position[s] < len(q) for s, q in queues.items()):
        for s in sorted(queues):
            if len(picked) < k and position[s] < len(queues[s]):
                picked.append(queues[s][position[s]])
                position[s] += 1
    return picked


def _disagree(table: pa.Table, columns: tuple[str, str] | None) -> np.ndarray:
    if columns is None or not all(c in table.column_names for c in columns):
        return np.zeros(table.num_rows, dtype=bool)
    a, b = (table.column(c).cast(pa.string()) for c in columns)
    both = pc.and_(pc.is_valid(a), pc.is_valid(b))
    return pc.fill_null(pc.and_(both, pc.not_equal(a, b)), False).to_numpy(zero_copy_only=False)


def select(table: pa.Table, plan: Plan) -> tuple[np.ndarray, list[str]]:
    """Row indices of the tasks, in task order, and each one's slice name."""
    n = table.num_rows
    ids = table.column("item_id").cast(pa.string()).to_pylist()
    strata = strata_of(table, plan.strata)
    taken = np.zeros(n, dtype=bool)
    rows: list[int] = []
    names: list[str] = []
    size = min(plan.size, n)
    quota = {
        "random": max(1, round(plan.random * size)) if n else 0,
        "uncertainty": round(plan.uncertainty * size),
        "disagreement": round(plan.disagreement * size),
    }
    rand = item_hash(ids, plan.seed, "random")
    carry = 0
    for name in SLICES:
        want = size - len(rows) if name == "stratified" else min(quota[name] + carry, size - len(rows))
        if name == "random":
            order = np.argsort(rand, kind="stable")
            picked = [int(i) for i in order if not taken[i]][:want]
        elif name == "uncertainty" and "score" in table.column_names and "threshold" in table.column_names:
            dist = np.abs(_floats(table, "score") - _floats(table, "threshold"))
            order = np.lexsort((rand, np.nan_to_num(dist, nan=np.inf)))
            order = order[np.isfinite(dist[order])]
            picked = _round_robin(order, strata, want, taken)
        elif name == "disagreement":
            flags = _disagree(table, plan.disagreement_columns)
            order = np.argsort(rand, kind="stable")
            picked = _round_robin(order[flags[order]], strata, want, taken)
        elif name == "stratified":
            picked = _round_robin(np.argsort(rand, kind="stable"), strata, want, taken)
        else:
            picked = []
        carry = want - len(picked) if name != "stratified" else 0
        taken[picked] = True
        rows += picked
        names += [name] * len(picked)
    return np.array(rows, dtype=np.int64), names


def _floats(table: pa.Table, column: str) -> np.ndarray:
    return table.column(column).cast(pa.float64()).to_numpy(zero_copy_only=False).astype(float)


def overlap_groups(ids: list[str], plan: Plan) -> tuple[list[int | None], list[int]]:
    """Per task: its overlap group (None: one annotator) and how many annotations it needs.

    The `overlap_fraction` of tasks with the smallest seeded hashes get `overlap_annotators` blind answers;
    groups are numbered 0.. in that order.
    """
    k = round(plan.overlap_fraction * len(ids))
    order = np.argsort(item_hash(ids, plan.seed, "overlap"), kind="stable")[:k]
    group: list[int | None] = [None] * len(ids)
    for g, i in enumerate(order):
        group[int(i)] = g
    return group, [plan.overlap_annotators if g is not None else 1 for g in group]
