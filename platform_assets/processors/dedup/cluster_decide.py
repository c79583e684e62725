"""Per-cluster decisions from the final stars, shuffled twice: members to their cluster, verdicts home.

The rules are `decide.decide`'s: the kept document of a cluster is its first seen (smallest (day, doc_id):
earlier days first), an exact copy is dropped as `exact_duplicate` with score 1, any other member as
`near_duplicate` with the share of band keys it shares with the kept one; a kept document's cluster size
counts this day's members. Documents in no cluster (no edge) are kept alone and never shuffled.
"""

from __future__ import annotations

import numpy as np

from platform_assets.processors.dedup.shuffle import (
    EXACT_CODE,
    HITS,
    KEEP,
    NEAR_CODE,
    NODES,
    PRIOR_TASK,
    Part,
    bucket,
    concat,
    empty_attrs,
    owner,
    split,
)
from platform_assets.processors.dedup.stars import MEMBERS


def _rows(bands: int) -> Part:
    a = empty_attrs(bands)
    return {"root": NODES["node"], "node": a["node"], "doc_id": a["doc_id"], "day": a["day"],
            "keys": a["keys"], "exact": np.empty(0, bool)}


SHARED: Part = {"root": NODES["node"], "cur": NODES["node"], "prior": NODES["node"],
                "count": np.empty(0, np.int64)}


def join_members(parts_count: int, bands: int, members: list[Part], copies: list[Part],
                 owned: list[Part], hits: list[Part]) -> list[dict]:
    """One owner bucket: each member of a cluster with its id, day, band keys and whether it is an exact
    copy ("rows"), and its links to earlier days' documents counted per pair ("shared"), by the bucket of
    its cluster's root."""
    m = concat(members, MEMBERS)
    nodes, first = np.unique(m["node"], return_index=True)
    a = concat(owned, empty_attrs(bands))
    order = np.argsort(a["node"], kind="stable")
    at = order[np.searchsorted(a["node"], nodes, sorter=order)]
    rows = {"root": m["root"][first], "node": nodes, "doc_id": a["doc_id"][at], "day": a["day"][at],
            "keys": a["keys"][at], "exact": np.isin(nodes, concat(copies, NODES)["node"])}
    h = concat(hits, HITS)
    pairs, count = (np.unique(np.stack([h["cur"], h["prior"]], axis=1), axis=0, return_counts=True)
                    if len(h["cur"]) else (np.empty((0, 2), np.uint64), np.empty(0, np.int64)))
    root = rows["root"][np.searchsorted(nodes, pairs[:, 0])] if len(nodes) else pairs[:, 0]
    shared = {"root": root, "cur": pairs[:, 0], "prior": pairs[:, 1], "count": count.astype(np.int64)}
    return [{"rows": r, "shared": s} for r, s in zip(
        split(rows, bucket(rows["root"], parts_count), parts_count),
        split(shared, bucket(root, parts_count), parts_count), strict=True)]


VERDICTS: Part = {"node": NODES["node"], "code": np.empty(0, np.int8), "cluster": np.empty(0, object),
                  "size": np.empty(0, np.int32), "score": np.empty(0, np.float64)}


def decide_clusters(parts_count: int, bands: int, joined: list[dict]) -> list[Part]:
    """One root bucket: the verdict of every member of this day, by owner bucket. A member kept on an
    earlier day scores the bands it was linked to that document in (as `decide` does), else the share of
    band keys it has in common with the kept document."""
    r = concat((j["rows"] for j in joined), _rows(bands))
    if not len(r["node"]):
        return split(dict(VERDICTS), np.empty(0, np.int64), parts_count)
    order = np.lexsort((r["node"], r["doc_id"].astype(str), r["day"].astype(str), r["root"]))
    r = {k: v[order] for k, v in r.items()}
    start = np.concatenate([[True], r["root"][1:] != r["root"][:-1]])
    group = np.cumsum(start) - 1
    rep = np.flatnonzero(start)[group]
    current = (r["node"] >> np.uint64(32)) < np.uint64(PRIOR_TASK)
    keep = np.arange(len(rep)) == rep
    size = np.bincount(group, weights=current, minlength=group[-1] + 1)[group].astype(np.int32)
    shared = (r["keys"] == r["keys"][rep]).mean(axis=1) if bands else np.zeros(len(rep))
    from_prior = ~current[rep]
    if from_prior.any():
        s = concat((j["shared"] for j in joined), SHARED)
        direct = dict(zip(zip(s["cur"].tolist(), s["prior"].tolist(), strict=True), s["count"].tolist(),
                          strict=True))
        rep_node = r["node"][rep]
        for i in np.flatnonzero(from_prior):
            shared[i] = direct.get((int(r["node"][i]), int(rep_node[i])), 0) / bands
    verdicts = {
        "node": r["node"],
        "code": np.where(keep, KEEP, np.where(r["exact"], EXACT_CODE, NEAR_CODE)).astype(np.int8),
        "cluster": r["doc_id"][rep], "size": np.where(keep, size, 0).astype(np.int32),
        "score": np.where(keep, np.nan, np.where(r["exact"], 1.0, shared)),
    }
    verdicts = {k: v[current] for k, v in verdicts.items()}
    return split(verdicts, owner(verdicts["node"], parts_count), parts_count)
