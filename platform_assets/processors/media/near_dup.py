"""Near-duplicate images by pHash Hamming distance, found by multi-index hashing (near-linear cost).

The 64-bit hash is cut into `m` bands of about log2(n) bits. Two hashes within Hamming distance `t` differ
in at most `t // m` bits of some band (pigeonhole), so each item probes, per band, the bucket of every band
value within `t // m` bits of its own: no pair within `t` is missed, and with buckets of about one item the
work per item grows only with the probe count, not with n (Norouzi, Punjani and Fleet, "Fast search in
Hamming space with multi-index hashing", CVPR 2012). Pairs within `t` are joined into clusters (the text
stage's vectorized union-find); a cluster keeps its first item by priority, which puts every earlier day's
kept images first (the incremental scope).
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

from platform_assets.processors.dedup.union_find import components

BITS = 64


def bands(n: int, max_hamming: int) -> list[tuple[int, int]]:
    """(shift, width) of the bands: about log2(n) bits wide, at most `max_hamming + 1` of them."""
    count = min(max_hamming + 1, max(1, round(BITS / max(8, int(np.log2(max(n, 2)))))))
    widths = [BITS // count + (1 if i < BITS % count else 0) for i in range(count)]
    return [(sum(widths[:i]), w) for i, w in enumerate(widths)]


def _probes(width: int, radius: int) -> np.ndarray:
    """Every `width`-bit mask with at most `radius` bits set."""
    masks = [0]
    for r in range(1, radius + 1):
        masks += [sum(1 << b for b in bits) for bits in combinations(range(width), r)]
    return np.array(masks, dtype=np.uint64)


def hamming(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.bitwise_count(np.bitwise_xor(a, b)).astype(np.int64)


def candidate_pairs(hashes: np.ndarray, max_hamming: int) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (i < j) within `max_hamming` of each other, each once."""
    hashes = np.asarray(hashes, dtype=np.uint64)
    found = []
    layout = bands(len(hashes), max_hamming)
    for shift, width in layout:
        keys = (hashes >> np.uint64(shift)) & np.uint64((1 << width) - 1)
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        for mask in _probes(width, max_hamming // len(layout)):
            wanted = keys ^ mask
            lo = np.searchsorted(sorted_keys, wanted, "left")
            hi = np.searchsorted(sorted_keys, wanted, "right")
            counts = hi - lo
            a = np.repeat(np.arange(len(hashes)), counts)
            b = order[np.repeat(lo - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())]
            keep = (a < b) & (hamming(hashes[a], hashes[b]) <= max_hamming)
            found.append(a[keep] * len(hashes) + b[keep])
    pairs = np.unique(np.concatenate(found)) if found else np.empty(0, np.int64)
    return pairs // max(len(hashes), 1), pairs % max(len(hashes), 1)


def clusters(hashes: np.ndarray, max_hamming: int) -> tuple[np.ndarray, np.ndarray]:
    """Per item (in priority order: index 0 wins first): the index of its cluster's kept item, and its
    Hamming distance to that item."""
    hashes = np.asarray(hashes, dtype=np.uint64)
    a, b = candidate_pairs(hashes, max_hamming)
    root = components(len(hashes), a, b)  # root = smallest index = highest priority
    return root, hamming(hashes, hashes[root])
