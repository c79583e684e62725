"""Dedup decided from sorted key runs: spilled or in memory, the same clusters as a plain union-find."""

import numpy as np
import pytest

from platform_assets.processors.dedup.clusters import decide_arrays
from platform_assets.processors.dedup.decide import EXACT, NEAR
from platform_assets.processors.dedup.prior import PriorMatches
from platform_assets.processors.dedup.runs import SortedRuns


def _reference(doc_ids, exact, keys, present):
    """The rule, document by document: an exact copy follows the first copy (smallest doc_id) of its text;
    other documents with a shingle join every document sharing a band key; each cluster keeps its first."""
    n = len(doc_ids)
    order = sorted(range(n), key=lambda i: (doc_ids[i], i))
    rank = {i: r for r, i in enumerate(order)}
    first = {}
    for i in order:
        first.setdefault(tuple(exact[i]), i)
    copy = [first[tuple(exact[i])] != i for i in range(n)]
    parent = list(range(n))

    def find(x):
        while parent[x] != x:
            x = parent[x]
        return x

    def union(x, y):
        rx, ry = find(x), find(y)
        parent[max(rx, ry, key=rank.get)] = min(rx, ry, key=rank.get)

    owner = {}
    for i in order:
        if present[i] and not copy[i]:
            for b, k in enumerate(keys[i]):
                union(i, owner.setdefault((b, int(k)), i))
    return [find(first[tuple(exact[i])]) for i in range(n)], copy


def _documents(seed, n=400, bands=4):
    rng = np.random.default_rng(seed)
    doc_ids = np.array([f"d{x:04d}" for x in rng.choice(3 * n, n, replace=False)], object)
    doc_ids[rng.integers(0, n, 5)] = doc_ids[0]  # a doc_id twice in a day: row order breaks the tie
    exact = rng.integers(0, n // 2, (n, 2)).astype(np.uint64)
    exact[:, 1] = exact[:, 0] % 3
    keys = rng.integers(0, 6 * n, (n, bands)).astype(np.uint64)
    present = rng.random(n) > 0.1
    return doc_ids, exact, keys, present


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_spilled_and_in_memory_runs_decide_as_the_reference(seed):
    doc_ids, exact, keys, present = _documents(seed)
    rep, copy = _reference(doc_ids, exact, keys, present)
    expected = [None if r == i else doc_ids[r] for i, r in enumerate(rep)]
    size = np.bincount(rep, minlength=len(rep))
    for spill in (1 << 40, 1, 2048):  # never, after every batch, every few hundred rows
        d = decide_arrays(doc_ids, exact, keys, present, spill_bytes=spill)
        assert d.duplicate_of.tolist() == expected
        assert d.keep.tolist() == [e is None for e in expected]
        dropped = ~d.keep
        assert (d.reason[dropped] == np.where(np.array(copy)[dropped], EXACT, NEAR)).all()
        assert d.cluster_size[d.keep].tolist() == size[d.keep].tolist()
        assert d.cluster_id.tolist() == [doc_ids[r] for r in rep]


def test_an_earlier_day_keeps_its_cluster():
    doc_ids, exact, keys, present = _documents(4, n=60)
    row = int(np.flatnonzero(present)[0])
    prior = PriorMatches(current=[row], prior_day=["2026-01-01"], prior_id=["old"], shared_bands=[2])
    for spill in (1 << 40, 1):
        d = decide_arrays(doc_ids, exact, keys, present, prior, spill_bytes=spill)
        assert not d.keep[row] and d.duplicate_of[row] == "old" and d.score[row] == 2 / keys.shape[1]


def test_merge_keeps_a_key_group_whole_across_runs():
    runs = SortedRuns({"k": 1}, spill_bytes=1)
    try:
        for start in range(0, 40, 4):  # one run per add; key 7 in every run
            runs.add("k", np.array([7, start + 100, 7, start + 1000], np.uint64), np.arange(start, start + 4))
        chunks = list(runs.merged("k", chunk_rows=2))
        merged = np.concatenate(chunks)
        assert (np.diff(merged[:, 0].astype(np.float64)) >= 0).all() and len(merged) == 40
        assert sum((c[:, 0] == 7).any() for c in chunks) == 1  # all twenty 7s in one chunk
    finally:
        runs.close()
