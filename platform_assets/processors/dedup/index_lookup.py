"""Earlier days' near_dup_index rows found by band key, in time that follows the new day, not the history.

`BandRuns` keeps, in a local cache folder per index dataset and preset, sorted runs (`band_runs.py`) that
together hold the index's fragments. `refresh(ds)` brings them to the dataset version being read: fragments
no run holds (days committed since the last lookup, or rewritten) are read, and only they, into a new run; a
run's fragment gone from the version (its day replaced, or compacted) is ignored, and dropped when the run is
next merged. Two runs are merged while the larger holds under twice the smaller (an LSM tree's tiering):
then at most log2(history / smallest run) + 1 runs remain, and each document is rewritten O(log history)
times in all.
`match` binary-searches each distinct key of the new day in each run: its time grows with the new day and
the (logarithmic) number of runs. The runs are a cache: deleting the folder only costs a rebuild.
"""

from __future__ import annotations

import fcntl
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from platform_assets.processors.dedup.band_runs import Run, RunWriter, merge
from platform_assets.processors.dedup.prior import PriorMatches, index_bands
from platform_assets.processors.hashing import short_digest

FACTOR = 2  # a run is merged into the next larger one until the larger holds over FACTOR times as much


URI_FILE = "index_uri"  # in `<root>/<hash>/`: the index the folder's runs were built from (for `sweep`)


def cache_folder(root: Path, index_uri: str, preset: str) -> Path:
    """`<root>/<hash of the index uri>/<preset>`: one set of runs per index dataset and preset."""
    return root / short_digest(index_uri) / preset


def sweep(root: Path, exists: Callable[[str], bool], dry_run: bool = False) -> list[str]:
    """Removes the runs of index datasets that no longer exist (a lake deleted or moved: nothing else would
    free them); returns their uris. A folder that names no uri (written before it was recorded) is removed
    too: it only costs a rebuild. A folder whose lock is held (a lookup running) is left alone."""
    removed = []
    for index_dir in sorted(p for p in root.glob("*") if p.is_dir()):
        named = index_dir / URI_FILE
        uri = named.read_text() if named.is_file() else None
        if uri is not None and exists(uri):
            continue
        locks = [open(p, "w") for p in index_dir.glob("*/.lock")]
        try:
            if all(_try_lock(lock) for lock in locks):
                if not dry_run:
                    shutil.rmtree(index_dir, ignore_errors=True)
                removed.append(uri or str(index_dir))
        finally:
            for lock in locks:
                lock.close()  # closing releases the lock
    return removed


def _try_lock(lock) -> bool:
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def signature(fragment: Any) -> str:
    """A fragment's data files and deletion file: any rewrite of its rows changes it."""
    meta, gone = fragment.metadata, fragment.metadata.deletion_file
    files = ",".join(sorted(f.path for f in meta.files))
    deleted = "" if gone is None else f"{gone.id}:{gone.read_version}:{gone.num_deleted_rows}"
    return f"{meta.id}|{files}|{deleted}"


@dataclass
class BandRuns:
    """The sorted runs of one index dataset and preset, in `folder`; `where` (a Lance SQL filter) selects
    the preset's rows."""

    folder: Path
    bands: int
    where: str
    spill_bytes: int = 64 << 20
    stats: dict[str, int] = field(default_factory=dict)

    @contextmanager
    def locked(self) -> Iterator[None]:
        """One refresh-and-match at a time per folder (two clean stages of different days may overlap)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def runs(self) -> list[Run]:
        return [Run.open(p) for p in sorted(self.folder.glob("run-*")) if p.suffix != ".tmp"]

    def refresh(self, ds) -> dict[Path, set[int]]:
        """Runs for every fragment of `ds`; returns, per run, the fragments it answers for."""
        current = {f.fragment_id: f for f in ds.get_fragments()}
        live: dict[Path, set[int]] = {}
        for run in self.runs():
            mine = {f for f, v in run.fragments.items() if f in current and v["sig"] == signature(current[f])
                    and not any(f in held for held in live.values())}
            if mine:
                live[run.path] = mine
            else:
                run.remove()
        held = set().union(*live.values())
        new = [current[f] for f in sorted(current) if f not in held]
        self.stats = {"rows_read": 0, "fragments_read": len(new), "docs_merged": 0}
        if new:
            run = self._build(ds, new)
            live[run.path] = set(run.fragments)
        self._tier(live)
        self.stats["runs"] = len(live)
        return live

    def _build(self, ds, fragments: list) -> Run:
        writer = RunWriter(self.folder, self.bands, self.spill_bytes)
        try:
            meta = {}
            for frag in fragments:
                days: dict[str, int] = {}
                first = writer.docs
                scan = ds.scanner(columns=["doc_id", "day", "bands"], fragments=[frag],
                                  filter=self.where, batch_size=8192)
                for batch in scan.to_batches():
                    self.stats["rows_read"] += batch.num_rows
                    for item in pc.value_counts(batch.column("day")).to_pylist():
                        days[item["values"]] = days.get(item["values"], 0) + item["counts"]
                    rows, keys = index_bands(batch, self.bands)
                    docs = pa.table({"doc_id": batch.column("doc_id").take(rows),
                                     "day": batch.column("day").take(rows),
                                     "fragment": pa.array(np.full(len(rows), frag.fragment_id), pa.uint32())})
                    start = writer.add_docs(docs)
                    for b in range(self.bands):
                        writer.add_keys(b, keys[:, b], start + np.arange(len(rows)))
                meta[frag.fragment_id] = {"sig": signature(frag), "days": days, "docs": writer.docs - first}
            return writer.finish(meta)
        except BaseException:
            writer.abort()
            raise

    def _tier(self, live: dict[Path, set[int]]) -> None:
        """Rewrites a run that answers for under half its documents, then merges the smallest two runs of
        sizes within FACTOR of each other until no two are (a binary counter for days of equal size)."""
        runs = {r.path: r for r in self.runs() if r.path in live}

        def size(run: Run) -> int:
            return sum(v["docs"] for f, v in run.fragments.items() if f in live[run.path])

        def replace(old: list[Run]) -> None:
            new = merge(self.folder, old, live)
            self.stats["docs_merged"] += new.docs_count
            live[new.path] = set().union(*(live.pop(r.path) for r in old))
            for r in old:
                runs.pop(r.path).remove()
            runs[new.path] = new

        for run in [r for r in runs.values() if 2 * size(r) < r.docs_count]:
            replace([run])
        while True:
            ordered = sorted(runs.values(), key=size)
            close = [(a, b) for a, b in zip(ordered, ordered[1:], strict=False)
                     if size(b) < FACTOR * max(size(a), 1)]
            if not close:
                return
            replace(list(close[0]))

    def match(self, per_band: list[tuple[np.ndarray, np.ndarray]], day: str | None,
              live: dict[Path, set[int]]) -> PriorMatches:
        """Index rows of days before `day` (None: of every day) sharing a band key with the new day's sorted
        keys `per_band` (as `prior.match_sorted` finds them by scanning every earlier row)."""
        out = PriorMatches(rows_checked=self.rows_before(live, day))
        distinct = [_first_of_each(np.asarray(keys), np.asarray(owners)) for keys, owners in per_band]
        for _, run, held, cur, doc in self.hits(distinct, live):
            if not len(cur):
                continue
            pairs, shared = np.unique(np.stack([cur, doc], 1), axis=0, return_counts=True)
            ok, docs = self.earlier(run, held, pairs[:, 1], day)
            out.current += pairs[ok, 0].tolist()
            out.prior_day += docs.column("day").filter(ok).to_pylist()
            out.prior_id += docs.column("doc_id").filter(ok).to_pylist()
            out.shared_bands += shared[ok].tolist()
        return out

    @staticmethod
    def rows_before(live: dict[Path, set[int]], day: str | None) -> int:
        """Index rows of days before `day` (None: all) in the fragments the runs answer for (what a scan
        would check)."""
        return sum(n for path, held in live.items() for f, v in Run.open(path).fragments.items() if f in held
                   for d, n in v["days"].items() if day is None or d < day)

    def hits(self, distinct: list[tuple[np.ndarray, np.ndarray]], live: dict[Path, set[int]]
             ) -> Iterator[tuple[int, Run, set[int], np.ndarray, np.ndarray]]:
        """Per run of `live`, numbered in path order: (number, run, the fragments it answers for, owner,
        docs.arrow row) for every entry of a key of `distinct` (per band: distinct sorted keys, owners)."""
        for number, path in enumerate(sorted(live)):
            run = Run.open(path)
            yield (number, run, live[path], *self._hits(run, distinct))

    @staticmethod
    def earlier(run: Run, held: set[int], rows: np.ndarray, day: str | None) -> tuple[np.ndarray, pa.Table]:
        """Which docs.arrow `rows` of `run` are of a day before `day` (None: any day) in a fragment it
        answers for, and those rows' documents (all of them)."""
        docs = run.docs.take(pa.array(rows))
        ok = pc.is_in(docs.column("fragment"), pa.array(sorted(held), pa.uint32()))
        if day is not None:
            ok = pc.and_(pc.less(docs.column("day"), day), ok)
        return ok.to_numpy(zero_copy_only=False), docs

    @staticmethod
    def _hits(run: Run, distinct: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
        """(current owner, docs.arrow row) for every key of every band found in the run."""
        cur, doc = [], []
        for b, (keys, owners) in enumerate(distinct):
            run_keys, run_docs = run.keys(b)
            if not len(keys) or not len(run_keys):
                continue
            lo = np.searchsorted(run_keys, keys, "left")
            hit = np.flatnonzero(run_keys[np.minimum(lo, len(run_keys) - 1)] == keys)
            counts = np.searchsorted(run_keys, keys[hit], "right") - lo[hit]
            pos = np.arange(counts.sum()) + np.repeat(lo[hit] - (np.cumsum(counts) - counts), counts)
            cur.append(np.repeat(owners[hit], counts))
            doc.append(np.asarray(run_docs[pos], np.int64))
        if not cur:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        return np.concatenate(cur).astype(np.int64), np.concatenate(doc)


def _first_of_each(keys: np.ndarray, owners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each distinct key of the sorted `keys` once, with its first owner (the lowest row: the one
    `match_sorted` finds)."""
    if not len(keys):
        return keys, owners
    first = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]]))
    return keys[first], owners[first]


@dataclass
class IndexLookup:
    """The index at the version to check, its runs, and the day being cleaned (None: every day is earlier,
    as for the synthetics corpus gate). `match` refreshes the runs, then looks the keys up."""

    runs: BandRuns
    dataset: Any
    day: str | None

    @classmethod
    def of(cls, cache_root: Path, index_uri: str, dataset: Any, preset: Any, where: str, day: str | None,
           spill_bytes: int = 64 << 20) -> IndexLookup:
        """The lookup of `preset`'s rows (a `MinHashPreset`; `where` the filter selecting them) of the index
        at `index_uri`, opened at the version `dataset`, its runs cached under `cache_root` (a folder per
        index and preset, shared by every caller)."""
        folder = cache_folder(cache_root, index_uri, preset.name)
        named = folder.parent / URI_FILE
        if not named.is_file():
            folder.parent.mkdir(parents=True, exist_ok=True)
            named.write_text(index_uri)
        return cls(BandRuns(folder, preset.bands, where, spill_bytes), dataset, day)

    def match(self, per_band: list[tuple[np.ndarray, np.ndarray]]) -> PriorMatches:
        with self.runs.locked():
            live = self.runs.refresh(self.dataset)
            return self.runs.match(per_band, self.day, live)
