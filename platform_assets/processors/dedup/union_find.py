"""Connected components of a graph given as edge arrays (vectorized union-find, numpy only)."""

from __future__ import annotations

import numpy as np


def collision_edges(keys: np.ndarray, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Edges joining every node to the first node (lowest id) that has the same key."""
    if len(keys) == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    order = np.lexsort((nodes, keys))
    k, n = keys[order], nodes[order]
    run_start = np.concatenate([[True], k[1:] != k[:-1]])
    first = n[np.flatnonzero(run_start)[np.cumsum(run_start) - 1]]
    linked = first != n
    return n[linked], first[linked]


def components(num_nodes: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Root of each node's component; the root is the component's smallest node id.

    Hook-and-compress (Shiloach-Vishkin style): each round hooks the larger root of every edge under the
    smaller one, then halves paths until every node points at its root; it stops when no edge spans two roots.
    """
    root = np.arange(num_nodes, dtype=np.int64)
    a, b = np.asarray(a, np.int64), np.asarray(b, np.int64)
    while len(a):
        ra, rb = root[a], root[b]
        spanning = ra != rb
        if not spanning.any():
            break
        ra, rb = ra[spanning], rb[spanning]
        np.minimum.at(root, np.maximum(ra, rb), np.minimum(ra, rb))
        while True:
            jumped = root[root]
            if np.array_equal(jumped, root):
                break
            root = jumped
    return root
