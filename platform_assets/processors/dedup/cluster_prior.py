"""Earlier days' near_dup_index rows for the cluster stage, found per band-key bucket in the sorted runs.

The driver refreshes the runs of `index_lookup.BandRuns` (only the index fragments committed since the last
lookup are read) and holds their lock while the band-reduce tasks read them. Each band-reduce task
binary-searches its bucket's distinct (band, key) pairs in every run (`BandRuns.hits`, the local lookup's
search) and adds each earlier document found as a band entry of its own node, so `shuffle.band_reduce`
links it exactly as it links a streamed index row. Only the documents found enter the graph: their doc_id
and day go to their owner bucket for the cluster join. A prior document's band keys are not read back: a
cluster holding an earlier day's document keeps that document and scores its members by the bands they
were linked in (`cluster_decide`), never by comparing the earlier document's keys.
A task opens the runs by path: on one machine the driver's cache folder; a multi-machine cluster needs
MASLOW_HOME's cache on storage every node mounts (docs/scaling.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from platform_assets.processors.dedup.index_lookup import BandRuns
from platform_assets.processors.dedup.shuffle import (
    BAND,
    PRIOR_NODE,
    Part,
    attrs,
    concat,
    empty_attrs,
    owner,
    split,
)


@dataclass(frozen=True)
class History:
    """The refreshed runs a band-reduce task searches: which fragments each run answers for, and the day
    being cleaned (rows of that day or later are not history)."""

    runs: BandRuns
    live: dict[Path, set[int]]
    day: str


def prior_nodes(number: int, rows: np.ndarray) -> np.ndarray:
    """Node ids of run `number`'s docs.arrow `rows`: above every node of this day (PRIOR_NODE), one id per
    earlier document whichever bucket finds it."""
    return PRIOR_NODE + (np.uint64(number) << np.uint64(48)) + np.asarray(rows, np.uint64)


def found(history: History, band: Part, parts_count: int) -> tuple[Part, list[Part]]:
    """For one bucket's band entries (this day's documents): the band entries of the earlier documents
    sharing one of its (band, key) pairs, and those documents' attrs by owner bucket."""
    bands = history.runs.bands
    distinct, offsets = [], [0]
    for b in range(bands):
        keys = np.unique(band["key"][band["band"] == b])
        distinct.append((keys, offsets[-1] + np.arange(len(keys), dtype=np.int64)))
        offsets.append(offsets[-1] + len(keys))
    every_key = np.concatenate([keys for keys, _ in distinct])
    entries, docs_found = [], []
    for number, run, held, cur, doc in history.runs.hits(distinct, history.live):
        if not len(cur):
            continue
        rows, inverse = np.unique(doc, return_inverse=True)
        ok, docs = BandRuns.earlier(run, held, rows, history.day)
        nodes, hit = prior_nodes(number, rows), ok[inverse]
        entries.append({"node": nodes[inverse][hit], "key": every_key[cur[hit]],
                        "band": (np.searchsorted(offsets, cur[hit], "right") - 1).astype(np.int16),
                        "copy": np.zeros(int(hit.sum()), bool)})
        n = int(ok.sum())
        docs_found.append(attrs(nodes[ok], docs.column("doc_id").filter(ok).to_numpy(zero_copy_only=False),
                                docs.column("day").filter(ok).to_numpy(zero_copy_only=False),
                                np.zeros((n, bands), np.uint64), np.zeros(n, bool)))
    prior = concat(docs_found, empty_attrs(bands))
    return concat(entries, BAND), split(prior, owner(prior["node"], parts_count), parts_count)
