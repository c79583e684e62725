"""One sorted run of near_dup_index band keys on local disk: a folder that is written once, then only read.

A run holds the indexed documents of some index fragments (one preset): `docs.arrow` (Arrow IPC, one row
per document with band keys: doc_id, day, fragment id), and per band `bandNN.keys.npy` (the band's keys,
sorted) with `bandNN.docs.npy` (the docs.arrow row of each key), read memory-mapped, so finding a key is a
binary search that touches a few pages, not a scan. `meta.json` names the fragments (with a signature of
their files) and counts their index rows per day. A run is built in `<name>.tmp` and renamed into place, so a
crash never leaves a half-written run that looks whole. Keys are sorted by `runs.SortedRuns` (an external
sort), so building or merging holds one spill buffer in memory, not the run.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.ipc as ipc

from platform_assets.processors.dedup.clusters import band_group
from platform_assets.processors.dedup.runs import SortedRuns

DOCS_SCHEMA = pa.schema([("doc_id", pa.string()), ("day", pa.string()), ("fragment", pa.uint32())])
CHUNK = 1 << 20  # keys copied per step when runs are merged


@dataclass
class Run:
    """A finished run folder; `fragments` maps fragment id -> {"sig", "days": {day: index rows}}."""

    path: Path
    bands: int
    fragments: dict[int, dict]
    docs_count: int

    @classmethod
    def open(cls, path: Path) -> Run:
        meta = json.loads((path / "meta.json").read_text())
        return cls(path, meta["bands"], {int(k): v for k, v in meta["fragments"].items()}, meta["docs"])

    @cached_property
    def docs(self) -> pa.Table:
        """docs.arrow, memory-mapped (a `take` reads only the rows it needs)."""
        return ipc.open_file(pa.memory_map(str(self.path / "docs.arrow"))).read_all()

    def keys(self, band: int) -> tuple[np.ndarray, np.ndarray]:
        """Band `band`'s sorted keys and the docs.arrow row of each, memory-mapped."""
        stem = self.path / f"band{band:02d}"
        return np.load(f"{stem}.keys.npy", mmap_mode="r"), np.load(f"{stem}.docs.npy", mmap_mode="r")

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


class RunWriter:
    """Builds a run in `<folder>/run-<uuid>.tmp`: `add_docs`, `add_keys` per band, then `finish`."""

    def __init__(self, folder: Path, bands: int, spill_bytes: int = 64 << 20):
        self.bands, self.folder = bands, folder
        self.tmp = folder / f"run-{uuid.uuid4().hex}.tmp"
        self.tmp.mkdir(parents=True)
        self.sorter = SortedRuns({band_group(b): 1 for b in range(bands)}, spill_bytes, str(self.tmp))
        self.sink = pa.OSFile(str(self.tmp / "docs.arrow"), "wb")
        self.writer = ipc.new_file(self.sink, DOCS_SCHEMA)
        self.docs = 0

    def add_docs(self, docs: pa.Table) -> int:
        """Appends documents (DOCS_SCHEMA columns); returns the docs.arrow row of the first."""
        start = self.docs
        self.writer.write_table(docs.select(DOCS_SCHEMA.names).cast(DOCS_SCHEMA))
        self.docs += docs.num_rows
        return start

    def add_keys(self, band: int, keys: np.ndarray, docs: np.ndarray) -> None:
        self.sorter.add(band_group(band), keys.astype(np.uint64), docs.astype(np.int64))

    def finish(self, fragments: dict[int, dict]) -> Run:
        self.writer.close()
        self.sink.close()
        for b in range(self.bands):
            self._move(b)
        self.sorter.close()
        meta = {"bands": self.bands, "docs": self.docs,
                "fragments": {str(k): v for k, v in fragments.items()}}
        (self.tmp / "meta.json").write_text(json.dumps(meta, sort_keys=True))
        final = self.tmp.with_suffix("")
        os.replace(self.tmp, final)
        return Run.open(final)

    def _move(self, band: int) -> None:
        stem = self.tmp / f"band{band:02d}"
        if self.sorter.rows:
            keys, docs = self.sorter.materialize(band_group(band))
            del keys, docs  # the files stay: moved into the run below
            for part in ("keys", "rows"):
                os.replace(self.sorter.directory / f"{band_group(band)}-{part}.npy",
                           f"{stem}.{'docs' if part == 'rows' else 'keys'}.npy")
        else:  # an empty run (fragments without indexed documents of this preset) still records them
            np.save(f"{stem}.keys.npy", np.empty(0, np.uint64))
            np.save(f"{stem}.docs.npy", np.empty(0, np.int64))

    def abort(self) -> None:
        self.writer.close()
        self.sink.close()
        self.sorter.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def merge(folder: Path, runs: list[Run], keep: dict[Path, set[int]], spill_bytes: int = 64 << 20) -> Run:
    """One run with the documents of `runs` whose fragment is in `keep[run.path]` (the others are dropped)."""
    writer = RunWriter(folder, runs[0].bands, spill_bytes)
    try:
        fragments: dict[int, dict] = {}
        for run in runs:
            live_ids = keep[run.path]
            fragments.update({f: v for f, v in run.fragments.items() if f in live_ids})
            frag = run.docs.column("fragment").to_numpy()
            live = np.isin(frag, np.fromiter(live_ids, np.int64, len(live_ids)))
            start = writer.add_docs(run.docs.filter(pa.array(live)))
            remap = start + np.cumsum(live) - 1
            for b in range(run.bands):
                keys, docs = run.keys(b)
                for at in range(0, len(keys), CHUNK):
                    k, d = np.asarray(keys[at: at + CHUNK]), np.asarray(docs[at: at + CHUNK])
                    sel = live[d]
                    writer.add_keys(b, k[sel], remap[d[sel]])
        return writer.finish(fragments)
    except BaseException:
        writer.abort()
        raise
