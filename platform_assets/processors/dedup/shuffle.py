"""The dedup decision as hash-partitioned shuffles: pure numpy kernels that cluster tasks run.

A document is a node `task << 32 | row` (`task` numbers the stage's pass-1 tasks; earlier days' index rows
use tasks from `PRIOR_TASK` on). A part is a dict of equal-length column arrays. Keys are spread over
`parts` buckets by a mixed hash; what a task needs later about its own documents goes to bucket
`owner(node) = task % parts`, so one reducer sees all rows of the tasks it owns.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from platform_assets.processors.dedup.union_find import collision_edges
from platform_assets.processors.hashing import hash64, mix64

Part = dict[str, np.ndarray]
PRIOR_TASK = 1 << 30  # task numbers of earlier days' index rows start here
KEEP, EXACT_CODE, NEAR_CODE, REDELIVERED_CODE = 0, 1, 2, 3


def node_ids(task: int, rows: int) -> np.ndarray:
    return (np.uint64(task) << np.uint64(32)) | np.arange(rows, dtype=np.uint64)


def bucket(values: np.ndarray, parts: int) -> np.ndarray:
    return (mix64(np.asarray(values, np.uint64)) % np.uint64(parts)).astype(np.int64)


def owner(nodes: np.ndarray, parts: int) -> np.ndarray:
    return ((np.asarray(nodes, np.uint64) >> np.uint64(32)) % np.uint64(parts)).astype(np.int64)


def split(columns: Part, buckets: np.ndarray, parts: int) -> list[Part]:
    """`columns` cut into `parts` parts by `buckets` (rows keep their order inside a part)."""
    order = np.argsort(buckets, kind="stable")
    bounds = np.searchsorted(buckets[order], np.arange(parts + 1))
    return [{k: v[order[bounds[i]: bounds[i + 1]]] for k, v in columns.items()} for i in range(parts)]


def concat(parts: Iterable[Part], like: Part) -> Part:
    """Parts joined column by column; `like` gives the columns (and dtypes) when there is no part."""
    parts = [p for p in parts if p]
    return {k: np.concatenate([p[k] for p in parts] or [v[:0]]) for k, v in like.items()}


EDGES: Part = {"src": np.empty(0, np.uint64), "dst": np.empty(0, np.uint64)}
NODES: Part = {"node": np.empty(0, np.uint64)}


ATTRS_COLUMNS = ("node", "doc_id", "day", "keys", "present")


def attrs(nodes: np.ndarray, doc_ids: np.ndarray, days: np.ndarray, keys: np.ndarray,
          present: np.ndarray) -> Part:
    """What later steps need about a task's documents: id, day (earlier days sort first), band keys."""
    return {"node": nodes, "doc_id": np.asarray(doc_ids, object), "day": np.asarray(days, object),
            "keys": keys, "present": present}


def empty_attrs(bands: int) -> Part:
    return attrs(NODES["node"], np.empty(0, object), np.empty(0, object), np.empty((0, bands), np.uint64),
                 np.empty(0, bool))


def exact_parts(nodes: np.ndarray, doc_ids: np.ndarray, exact: np.ndarray, parts: int) -> list[dict]:
    """One pass-1 task's shuffle output: exact hashes by hash, and doc_ids by the doc_id's hash."""
    doc_ids = np.asarray(doc_ids, object)
    ex = {"node": nodes, "hi": exact[:, 0], "lo": exact[:, 1], "doc_id": doc_ids}
    ids = {"node": nodes, "doc_id": doc_ids}
    by_text = split(ex, bucket(exact[:, 0] ^ mix64(exact[:, 1]), parts), parts)
    by_id = split(ids, bucket(hash64(doc_ids, count=len(doc_ids)), parts), parts)
    return [{"exact": e, "ids": i} for e, i in zip(by_text, by_id, strict=True)]


def held_parts(doc_ids: list[str], parts: int) -> list[np.ndarray]:
    """doc_ids clean on other days, by the hash of the doc_id."""
    ids = np.asarray(doc_ids, dtype=object)
    return [p["id"] for p in split({"id": ids}, bucket(hash64(ids, count=len(ids)), parts), parts)]


EXACT: Part = {"node": NODES["node"], "hi": np.empty(0, np.uint64), "lo": np.empty(0, np.uint64),
               "doc_id": np.empty(0, object)}


def exact_reduce(parts_count: int, held: list[np.ndarray], shuffled: list[dict]) -> list[dict]:
    """One bucket of exact hashes. Every copy of a text but the first (smallest doc_id) is linked to the
    first: the edges in both directions by source; the copies' nodes by owner. `held` holds this bucket's
    doc_ids clean on other days: a document with one of them is re-delivered (its node, by owner)."""
    ex = concat((s["exact"] for s in shuffled), EXACT)
    order = np.lexsort((ex["node"], ex["doc_id"].astype(str), ex["lo"], ex["hi"]))
    hi, lo, node = ex["hi"][order], ex["lo"][order], ex["node"][order]
    start = np.concatenate([[True], (hi[1:] != hi[:-1]) | (lo[1:] != lo[:-1])])[: len(hi)]
    first = node[np.flatnonzero(start)[np.cumsum(start) - 1]]
    copies, originals = node[~start], first[~start]
    ids = concat((s["ids"] for s in shuffled), {"node": NODES["node"], "doc_id": np.empty(0, object)})
    held_ids = set(np.concatenate(held or [np.empty(0, object)]).tolist())
    again = ids["node"][np.fromiter((i in held_ids for i in ids["doc_id"]), bool, len(ids["node"]))]
    edges = both_ways(copies, originals, parts_count)
    dups = split({"node": copies}, owner(copies, parts_count), parts_count)
    redelivered = split({"node": again}, owner(again, parts_count), parts_count)
    return [{"edges": e, "exact": d, "redelivered": r} for e, d, r in zip(edges, dups, redelivered,
                                                                         strict=True)]


def both_ways(a: np.ndarray, b: np.ndarray, parts: int) -> list[Part]:
    src, dst = np.concatenate([a, b]).astype(np.uint64), np.concatenate([b, a]).astype(np.uint64)
    return split({"src": src, "dst": dst}, bucket(src, parts), parts)


BAND: Part = {"node": NODES["node"], "band": np.empty(0, np.int16), "key": np.empty(0, np.uint64),
              "copy": np.empty(0, bool)}
PRIOR_NODE = np.uint64(PRIOR_TASK) << np.uint64(32)


def band_parts(parts_count: int, bands: int, copies: list[Part], owned: list[Part]) -> list[Part]:
    """The band keys of one owner bucket's documents, by key, each flagged when it is an exact copy.
    `owned` are the attrs of the tasks this bucket owns (this day's and earlier days' index rows)."""
    a = concat(owned, empty_attrs(bands))
    copy = np.isin(a["node"], concat(copies, NODES)["node"])
    rows = np.flatnonzero(a["present"])
    band = {"node": np.repeat(a["node"][rows], bands),
            "band": np.tile(np.arange(bands, dtype=np.int16), len(rows)), "key": a["keys"][rows].ravel(),
            "copy": np.repeat(copy[rows], bands)}
    return split(band, bucket(band["key"], parts_count), parts_count)


HITS: Part = {"cur": NODES["node"], "prior": NODES["node"]}


def band_reduce(parts_count: int, shuffled: list[Part]) -> list[dict]:
    """One bucket of band keys, per band: this day's documents sharing a key are linked (exact copies
    follow their first copy instead); an earlier day's document is linked to the first of this day's
    documents (copies included) with its key, as `prior.match_prior` does; earlier days never to each
    other. Returns per bucket the edges (both ways, by source) and those links once per band ("hits", by
    owner of this day's document: the score of a document kept on an earlier day counts them)."""
    band = concat(shuffled, BAND)
    src, dst, hits = [np.empty(0, np.uint64)], [np.empty(0, np.uint64)], []
    for b in np.unique(band["band"]):
        sel = band["band"] == b
        key, node, copy = band["key"][sel], band["node"][sel], band["copy"][sel]
        own = ~copy & (node < PRIOR_NODE)
        a, f = collision_edges(key[own], node[own])
        order = np.lexsort((node, key))
        key, node = key[order], node[order]
        start = np.concatenate([[True], key[1:] != key[:-1]])
        first = node[np.flatnonzero(start)[np.cumsum(start) - 1]]
        prior = (node >= PRIOR_NODE) & (first < PRIOR_NODE)
        src += [a.astype(np.uint64), node[prior]]
        dst += [f.astype(np.uint64), first[prior]]
        hits.append((first[prior], node[prior]))
    cur = np.concatenate([h[0] for h in hits] or [NODES["node"]]).astype(np.uint64)
    old = np.concatenate([h[1] for h in hits] or [NODES["node"]]).astype(np.uint64)
    edges = both_ways(np.concatenate(src), np.concatenate(dst), parts_count)
    by_owner = split({"cur": cur, "prior": old}, owner(cur, parts_count), parts_count)
    return [{"edges": e, "hits": h} for e, h in zip(edges, by_owner, strict=True)]
