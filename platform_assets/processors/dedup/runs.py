"""Dedup keys spilled to sorted runs on local disk and merged back in key order (an external sort).

A row of a group is `width` uint64 key columns and the document's row number (insertion position), stored
as one (n, width + 1) uint64 array. Rows are buffered in memory; once the buffered groups together hold
`spill_bytes`, each group's buffer is sorted and written as one run (`.npy`). Runs are read back a window at
a time with plain reads, not memory-mapped: every page of a mapped run the merge touched would stay in the
process's RSS until the end (the whole of the spilled keys, ~264 bytes a document).
`merged` then yields a group's rows in key order, chunk by chunk, each chunk holding whole key groups (every
row with the same first key column), so equal keys can be decided chunk by chunk in bounded memory.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np


def sort_rows(rows: np.ndarray, width: int) -> np.ndarray:
    """`rows` ordered by their key columns (lexicographically; the row number breaks ties)."""
    if len(rows) < 2:
        return rows
    return rows[np.lexsort(tuple(rows[:, c] for c in reversed(range(width + 1))))]


class SortedRuns:
    """Groups of (keys..., row) rows, spilled to sorted runs under a private temporary directory."""

    def __init__(self, widths: dict[str, int], spill_bytes: int = 64 << 20, directory: str | None = None):
        self.widths, self.spill_bytes = widths, spill_bytes
        self.directory = Path(tempfile.mkdtemp(prefix="maslow-runs-", dir=directory))
        self.runs: dict[str, list[Path]] = {g: [] for g in widths}
        self._buffer: dict[str, list[np.ndarray]] = {g: [] for g in widths}
        self._buffered = 0
        self.rows = 0

    def add(self, group: str, keys: np.ndarray, rows: np.ndarray) -> None:
        """Adds one row per document: `keys` (n,) or (n, width) uint64, `rows` (n,) row numbers."""
        if not len(rows):
            return
        block = np.empty((len(rows), self.widths[group] + 1), np.uint64)
        block[:, :-1] = keys.reshape(len(rows), -1)
        block[:, -1] = rows
        self._buffer[group].append(block)
        self._buffered += block.nbytes
        self.rows += len(rows)
        if self._buffered >= self.spill_bytes:
            self.spill()

    def spill(self) -> None:
        """Writes every group's buffer as one sorted run."""
        for group, parts in self._buffer.items():
            if parts:
                path = self.directory / f"{group}-{len(self.runs[group]):05d}.npy"
                np.save(path, sort_rows(np.concatenate(parts), self.widths[group]))
                self.runs[group].append(path)
                self._buffer[group] = []
        self._buffered = 0

    def merged(self, group: str, chunk_rows: int = 1 << 16) -> Iterator[np.ndarray]:
        """The group's rows in key order, in chunks of whole key groups (about `chunk_rows` per run each)."""
        width = self.widths[group]
        sources: list = [RunFile(p) for p in self.runs[group]]
        if self._buffer[group]:
            sources.append(sort_rows(np.concatenate(self._buffer[group]), width))
        yield from merge_sorted(sources, width, chunk_rows)

    def materialize(self, group: str) -> tuple[np.ndarray, np.ndarray]:
        """The group's keys (n,) or (n, width) and rows (n,), fully sorted, each in one memory-mapped file
        (contiguous, for lookups by binary search)."""
        width = self.widths[group]
        total = sum(len(RunFile(p)) for p in self.runs[group])
        total += sum(len(b) for b in self._buffer[group])
        shape = (total,) if width == 1 else (total, width)
        paths = [self.directory / f"{group}-{name}.npy" for name in ("keys", "rows")]
        keys = np.lib.format.open_memmap(paths[0], "w+", np.uint64, shape)
        rows = np.lib.format.open_memmap(paths[1], "w+", np.int64, (total,))
        at = 0
        for chunk in self.merged(group):
            keys[at: at + len(chunk)] = chunk[:, 0] if width == 1 else chunk[:, :-1]
            rows[at: at + len(chunk)] = chunk[:, -1]
            at += len(chunk)
        keys.flush()
        rows.flush()
        return np.load(paths[0], mmap_mode="r"), np.load(paths[1], mmap_mode="r")

    def close(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)


class RunFile:
    """A `.npy` file read a slice at a time with plain reads, never mapped: a spilled run's rows
    (`run[a:b]`, an array), or any file's elements in C order (`elements`, band_runs' sorted runs)."""

    def __init__(self, path: Path):
        self.path = path
        with open(path, "rb") as f:
            fmt = np.lib.format
            read = fmt.read_array_header_1_0 if fmt.read_magic(f) == (1, 0) else fmt.read_array_header_2_0
            shape, _, self.dtype = read(f)
            self.offset = f.tell()
        self.shape = shape

    def __len__(self) -> int:
        return self.shape[0]

    def elements(self, start: int, count: int) -> np.ndarray:
        """`count` elements from flat position `start` (C order), as a 1-D array."""
        return np.fromfile(self.path, self.dtype, count, offset=self.offset + start * self.dtype.itemsize)

    def __getitem__(self, rows: slice) -> np.ndarray:
        start, stop, _ = rows.indices(len(self))
        n, cols = max(0, stop - start), self.shape[1]
        return self.elements(start * cols, n * cols).reshape(n, cols)


def merge_sorted(sources: list, width: int, chunk_rows: int) -> Iterator[np.ndarray]:
    """k-way merge of sorted (n, width + 1) arrays; each chunk holds every row of the first-column keys it
    has. A key group larger than a window widens the windows until it fits (memory: the largest group)."""
    pos = [0] * len(sources)
    step = chunk_rows
    while True:
        live = [i for i, s in enumerate(sources) if pos[i] < len(s)]
        if not live:
            return
        ends = {i: min(pos[i] + step, len(sources[i])) for i in live}
        capped = [sources[i][ends[i] - 1: ends[i]][0, 0] for i in live if ends[i] < len(sources[i])]
        bound = min(capped) if capped else None
        parts = []
        for i in live:
            window = sources[i][pos[i]: ends[i]]
            cut = len(window) if bound is None else int(np.searchsorted(window[:, 0], bound, "left"))
            parts.append(np.array(window[:cut]))
            pos[i] += cut
        out = np.concatenate(parts)
        if not len(out):
            step *= 2
            continue
        step = chunk_rows
        yield sort_rows(out, width) if len(parts) > 1 else out
