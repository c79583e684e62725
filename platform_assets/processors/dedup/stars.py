"""Connected components over edges spread across buckets: alternating large-star and small-star rounds.

Kiveris et al., "Connected Components in MapReduce and Beyond" (SoCC 2014). Each round is one shuffle: a
bucket holds the edges of the nodes hashed to it and emits new edges for the next round's buckets, so no
task ever holds more than its bucket. Connectivity is kept every round, and the graph ends as stars whose
centre is the smallest node of the component. A large-star round over edges that already form such stars
changes nothing; it reports how many of its nodes are not settled, and the driver stops at zero.
"""

from __future__ import annotations

import numpy as np

from platform_assets.processors.dedup.shuffle import EDGES, NODES, Part, bucket, concat, owner, split


def _unique_pairs(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if not len(a):
        return a, b
    pairs = np.unique(np.stack([a, b], axis=1), axis=0)
    return pairs[:, 0], pairs[:, 1]


def _groups(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start of each run of equal sorted `keys`, and each row's run number."""
    start = np.concatenate([[True], keys[1:] != keys[:-1]])
    return np.flatnonzero(start), np.cumsum(start) - 1


def large_star(parts_count: int, edges: list[Part]) -> list:
    """Edges by source, both directions. Each node u links every larger neighbour to the smallest of u and
    its neighbours. Returns the new edges (larger end first, by larger end) per bucket, then the count of
    unsettled nodes: neither a centre (all neighbours larger) nor a leaf (exactly one, smaller, neighbour)."""
    e = concat(edges, EDGES)
    src, dst = _unique_pairs(e["src"], e["dst"])
    hi_parts: list[Part] = split({"hi": EDGES["src"], "lo": EDGES["dst"]}, np.empty(0, np.int64), parts_count)
    if not len(src):
        return [*hi_parts, 0]
    starts, group = _groups(src)
    low = np.minimum.reduceat(dst, starts)
    count = np.diff(np.append(starts, len(src)))
    me = src[starts]
    unsettled = int(np.count_nonzero(~((low > me) | ((count == 1) & (low < me)))))
    centre = np.minimum(low, me)[group]
    larger = dst > src
    hi, lo = dst[larger], centre[larger]
    return [*split({"hi": hi, "lo": lo}, bucket(hi, parts_count), parts_count), unsettled]


def small_star(parts_count: int, edges: list[Part]) -> list[Part]:
    """Edges (larger end first) by larger end. Each node u links itself and its smaller neighbours to the
    smallest of them. Returns the new edges in both directions, by source, per bucket."""
    e = concat(edges, {"hi": EDGES["src"], "lo": EDGES["dst"]})
    hi, lo = _unique_pairs(e["hi"], e["lo"])
    if not len(hi):
        return split(dict(EDGES), np.empty(0, np.int64), parts_count)
    starts, group = _groups(hi)
    centre = np.minimum.reduceat(lo, starts)[group]
    moved = lo != centre
    a = np.concatenate([lo[moved], hi[starts]])
    b = np.concatenate([centre[moved], centre[starts]])
    src, dst = np.concatenate([a, b]), np.concatenate([b, a])
    return split({"src": src, "dst": dst}, bucket(src, parts_count), parts_count)


def star_members(parts_count: int, edges: list[Part]) -> list[Part]:
    """Final stars (leaf, centre) by leaf: every node of a component with its centre, by owner bucket."""
    e = concat(edges, {"hi": EDGES["src"], "lo": EDGES["dst"]})
    nodes = np.concatenate([e["hi"], e["lo"]])
    roots = np.concatenate([e["lo"], e["lo"]])
    nodes, first = np.unique(nodes, return_index=True)
    return split({"node": nodes, "root": roots[first]}, owner(nodes, parts_count), parts_count)


MEMBERS: Part = {"node": NODES["node"], "root": NODES["node"]}
