"""One sorted run of near_dup_index band keys on local disk: a folder that is written once, then only read.

A run holds the indexed documents of some index fragments (one preset): `docs.arrow` (Arrow IPC, one row
per document with band keys: doc_id, day, fragment id), `keys.npy` (bands x documents: each band's keys,
sorted) and `docs.npy` (the docs.arrow row of each key), read memory-mapped, so finding a key is a
binary search that touches a few pages, not a scan. `meta.json` names the fragments (with a signature of
their files) and counts their index rows per day. A run is built in `<name>.tmp` and renamed into place, so a
crash never leaves a half-written run that looks whole. A new run's keys are sorted by `runs.SortedRuns` (an
external sort: one spill buffer in memory); runs are merged window by window (a window per run in memory).
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.ipc as ipc

from platform_assets.processors.dedup.clusters import band_group
from platform_assets.processors.dedup.runs import RunFile, SortedRuns

DOCS_SCHEMA = pa.schema([("doc_id", pa.string()), ("day", pa.string()), ("fragment", pa.uint32())])
CHUNK = 1 << 16  # keys taken from each run per window when runs are merged (~4 MB a run in flight)


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

    @cached_property
    def _bands(self) -> tuple[np.ndarray, np.ndarray]:
        return tuple(np.load(self.path / f"{name}.npy", mmap_mode="r") for name in ("keys", "docs"))

    def keys(self, band: int) -> tuple[np.ndarray, np.ndarray]:
        """Band `band`'s sorted keys and the docs.arrow row of each, memory-mapped."""
        keys, docs = self._bands
        return keys[band], docs[band]

    @cached_property
    def _files(self) -> tuple[RunFile, RunFile]:
        return RunFile(self.path / "keys.npy"), RunFile(self.path / "docs.npy")

    def read(self, band: int, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        """Band `band`'s entries start..stop, read from the files (not mapped: a merge holds no pages)."""
        keys, docs = self._files
        first = band * self.docs_count + start
        return keys.elements(first, stop - start), docs.elements(first, stop - start)

    def doc_batches(self) -> Iterator[pa.RecordBatch]:
        """docs.arrow batch by batch, read (not mapped)."""
        with pa.OSFile(str(self.path / "docs.arrow")) as source:
            reader = ipc.open_file(source)
            for i in range(reader.num_record_batches):
                yield reader.get_batch(i)

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
        write_bands(self.tmp, self.docs, (self._sorted(b) for b in range(self.bands)))
        self.sorter.close()
        meta = {"bands": self.bands, "docs": self.docs,
                "fragments": {str(k): v for k, v in fragments.items()}}
        (self.tmp / "meta.json").write_text(json.dumps(meta, sort_keys=True))
        final = self.tmp.with_suffix("")
        os.replace(self.tmp, final)
        return Run.open(final)

    def _sorted(self, band: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        return ((c[:, 0], c[:, 1]) for c in self.sorter.merged(band_group(band)))

    def abort(self) -> None:
        self.writer.close()
        self.sink.close()
        self.sorter.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def merge(folder: Path, runs: list[Run], keep: dict[Path, set[int]]) -> Run:
    """One run with the documents of `runs` whose fragment is in `keep[run.path]` (the others are dropped):
    docs.arrow batch by batch, then a k-way merge of each band's sorted keys, window by window. Each old
    document's new row (-1: dropped) is kept in a memory-mapped file, so memory is a window per run."""
    tmp = folder / f"run-{uuid.uuid4().hex}.tmp"
    tmp.mkdir(parents=True)
    try:
        fragments: dict[int, dict] = {}
        remap, start = [], 0
        with pa.OSFile(str(tmp / "docs.arrow"), "wb") as sink, ipc.new_file(sink, DOCS_SCHEMA) as writer:
            for i, run in enumerate(runs):
                ids = np.fromiter(keep[run.path], np.int64)
                fragments.update({f: v for f, v in run.fragments.items() if f in keep[run.path]})
                rows = np.lib.format.open_memmap(tmp / f"rows-{i}.npy", "w+", np.int64, (run.docs_count,))
                at = 0
                for batch in run.doc_batches():
                    live = np.isin(batch.column("fragment").to_numpy(), ids)
                    writer.write_batch(batch.filter(pa.array(live)))
                    rows[at: at + len(live)] = np.where(live, start + np.cumsum(live) - 1, -1)
                    start, at = start + int(live.sum()), at + len(live)
                remap.append(rows)
        bands = (merge_windows(runs, b, remap) for b in range(runs[0].bands))
        write_bands(tmp, start, bands)
        del remap
        for i in range(len(runs)):
            (tmp / f"rows-{i}.npy").unlink()
        meta = {"bands": runs[0].bands, "docs": start, "fragments": {str(k): v for k, v in fragments.items()}}
        (tmp / "meta.json").write_text(json.dumps(meta, sort_keys=True))
        os.replace(tmp, tmp.with_suffix(""))
        return Run.open(tmp.with_suffix(""))
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_bands(folder: Path, total: int, bands: Iterator[Iterator[tuple[np.ndarray, np.ndarray]]]) -> None:
    """Writes keys.npy and docs.npy, each (bands, total): band by band, each band's `total` sorted keys and
    docs rows given in order chunk by chunk (plain writes: no memory map to fault in and sync)."""
    chunked = list(bands)  # generators: each is consumed in turn below
    with open(folder / "keys.npy", "wb") as keys, open(folder / "docs.npy", "wb") as docs:
        for fh, dtype in ((keys, np.uint64), (docs, np.int64)):
            np.lib.format.write_array_header_1_0(fh, {"descr": np.lib.format.dtype_to_descr(np.dtype(dtype)),
                                                      "fortran_order": False, "shape": (len(chunked), total)})
        for band, chunks in enumerate(chunked):
            written = 0
            for k, d in chunks:
                keys.write(np.ascontiguousarray(k, np.uint64).tobytes())
                docs.write(np.ascontiguousarray(d, np.int64).tobytes())
                written += len(k)
            if written != total:
                raise RuntimeError(f"band {band}: {written} keys written, {total} expected")


def merge_windows(runs: list[Run], band: int,
                  remap: list[np.ndarray]) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Sorted (key, new docs row) windows of the runs' kept entries of `band`: each window takes every key up
    to the smallest last key of the runs' next CHUNK keys, so the windows come out in key order."""
    pos = [0] * len(runs)
    while True:
        open_ = [i for i, run in enumerate(runs) if pos[i] < run.docs_count]
        if not open_:
            return
        windows = {i: runs[i].read(band, pos[i], min(pos[i] + CHUNK, runs[i].docs_count)) for i in open_}
        capped = [windows[i][0][-1] for i in open_ if pos[i] + CHUNK < runs[i].docs_count]
        keys, docs = [], []
        for i in open_:
            k, d = windows[i]
            cut = len(k) if not capped else int(np.searchsorted(k, min(capped), "right"))
            rows = remap[i][d[:cut]]
            pos[i] += cut
            keys.append(k[:cut][rows >= 0])
            docs.append(rows[rows >= 0])
        k, d = np.concatenate(keys), np.concatenate(docs)
        order = np.argsort(k, kind="stable")  # sorted pieces: timsort merges them in about linear time
        yield k[order], d[order]
