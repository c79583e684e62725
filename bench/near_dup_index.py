"""Incremental dedup's lookup of a new day in near_dup_index as the history grows (5, 15, 30 days).

Days of `--docs` documents (14 random band keys each, the fineweb preset; each new day plants near copies
of earlier documents: 7 shared bands) are committed one after another through `lance_writes`, the IO
manager's partition-replacing commit. After each commit the sorted runs are refreshed, as the next day's
lookup does (`refresh_s`: the day just committed read into a run, plus any merge). At each checkpoint the
next day is looked up three ways, timed in interleaved rounds in the same run:

- `lookup`: through the maintained runs (`IndexLookup.match`: refresh finds nothing new, then binary search);
- `scan`: every earlier row streamed through `prior.match_sorted` (the clean stage before the runs);
- `rebuild`: the runs built from the whole history in an empty folder, then the lookup.

The lookup must give the scan's pairs exactly, and stay about flat while the scan and the rebuild grow with
the history. Process CPU seconds are printed next to wall seconds (the machine is shared).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import lance
import numpy as np
import pyarrow as pa

from bench.common import median_times, print_table, write_result
from platform_assets.processors.dedup.index_lookup import BandRuns, IndexLookup
from platform_assets.processors.dedup.prior import match_sorted
from platform_assets.processors.dedup.schemas import INDEX_SCHEMA
from resources import lance_scans, lance_writes
from resources.lance_filters import all_of, compare

BANDS, PLANTED = 14, 0.01
PRESET = compare("preset", "=", "fineweb")


def day_name(d: int) -> str:
    return str(np.datetime64("2026-01-01") + np.timedelta64(d, "D"))


def day_keys(rng: np.random.Generator, n: int, history: list[np.ndarray]) -> np.ndarray:
    """`n` documents' band keys; with history, 1% of them share 7 bands with an earlier document."""
    keys = rng.integers(1, 2**63, (n, BANDS), dtype=np.uint64)
    if history:
        earlier = np.concatenate(history)
        rows = rng.choice(n, int(n * PLANTED), replace=False)
        keys[rows, : BANDS // 2] = earlier[rng.choice(len(earlier), len(rows))][:, : BANDS // 2]
    return keys


def commit_day(uri: str, d: int, keys: np.ndarray) -> None:
    n, day = len(keys), day_name(d)
    offsets = pa.array(np.arange(0, n * BANDS + 1, BANDS, dtype=np.int32))
    table = pa.table([pa.array([f"{d:05d}{i:027x}" for i in range(n)]), pa.array([day] * n),
                      pa.array(["fineweb"] * n), pa.ListArray.from_arrays(offsets, pa.array(keys.ravel()))],
                     schema=INDEX_SCHEMA)
    lance_writes.replace_partitions(uri, pa.RecordBatchReader.from_batches(INDEX_SCHEMA, table.to_batches()),
                                    ["day"], [(day,)])


def sorted_bands(keys: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """The new day's keys per band, sorted, with their rows (as the stage's sorted runs give them)."""
    owners = np.arange(len(keys))
    return [(keys[order, b], owners[order]) for b in range(BANDS)
            for order in [np.argsort(keys[:, b], kind="stable")]]


def pairs(found) -> set:
    return set(zip(found.current, found.prior_day, found.prior_id, found.shared_bands, strict=True))


def checkpoint(uri: str, runs: BandRuns, day: str, per_band, scratch: Path, repeat: int) -> dict:
    ds = lance.dataset(uri)
    earlier = all_of(compare("day", "<", day), PRESET)

    def scan(_r=0):
        reader = ds.scanner(columns=["doc_id", "day", "bands"], filter=earlier, **lance_scans.STREAMING)
        return match_sorted(per_band, reader.to_reader())

    def lookup(_r=0):
        return IndexLookup(runs, ds, day).match(per_band)

    def rebuild(r=0):
        fresh = BandRuns(scratch / f"rebuild-{r}", BANDS, PRESET)
        try:
            return IndexLookup(fresh, ds, day).match(per_band)
        finally:
            shutil.rmtree(fresh.folder, ignore_errors=True)

    same = pairs(scan()) == pairs(lookup()) == pairs(rebuild())
    cpu: dict[str, float] = {}
    wall = median_times({"lookup": lookup, "scan": scan, "rebuild": rebuild}, repeat=repeat, cpu=cpu)
    found = lookup()
    return {"same_pairs": same, "pairs": len(found), "rows_checked": found.rows_checked,
            "runs": runs.stats["runs"], **{f"{k}_s": v for k, v in wall.items()},
            **{f"{k}_cpu_s": v for k, v in cpu.items()},
            "scan_over_lookup": wall["scan"] / wall["lookup"],
            "rebuild_over_lookup": wall["rebuild"] / wall["lookup"]}


def _peak_mb() -> float:
    """This process's peak RSS (VmHWM: unlike getrusage's ru_maxrss, not carried across fork and exec)."""
    status = Path("/proc/self/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmHWM:")).split()[1]) / 1024


def replay(uri: str, folder: str) -> dict:
    """Every day's refresh again, in a fresh process, on the index's versions in order (each commit, then the
    next lookup's refresh): peak RSS over the RSS after imports is what the runs' building and merging
    held."""
    before = _peak_mb()
    runs = BandRuns(Path(folder), BANDS, PRESET)
    for version in range(2, lance.dataset(uri).version + 1):
        with runs.locked():
            runs.refresh(lance.dataset(uri, version=version))
    peak = _peak_mb()
    return {"rss_after_imports_mb": before, "peak_rss_mb": peak, "refresh_peak_growth_mb": peak - before}


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(prog="bench.near_dup_index", description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="1,000 documents a day")
    ap.add_argument("--docs", type=int, help="documents a day (default 20,000; --quick 1,000)")
    ap.add_argument("--checkpoints", default="5,15,30", help="days of history to look a new day up against")
    ap.add_argument("--replay", nargs=2, help=argparse.SUPPRESS)  # internal: URI FOLDER, measured for memory
    args = ap.parse_args(argv)
    if args.replay:
        print(json.dumps(replay(*args.replay)))
        return {}
    docs = args.docs or (1000 if args.quick else 20000)
    marks = sorted(int(x) for x in args.checkpoints.split(","))
    rng = np.random.default_rng(20)
    history: list[np.ndarray] = []
    results, refresh = {}, []
    with tempfile.TemporaryDirectory(prefix="maslow-bench-index-") as tmp:
        uri, scratch = f"{tmp}/near_dup_index.lance", Path(tmp)
        runs = BandRuns(scratch / "runs", BANDS, PRESET)
        for d in range(marks[-1] + 1):
            keys = day_keys(rng, docs, history)
            if d in marks:
                repeat = 1 if args.quick else 3
                results[d] = checkpoint(uri, runs, day_name(d), sorted_bands(keys), scratch, repeat)
                results[d]["refresh_s_mean"] = float(np.mean(refresh))
                results[d]["refresh_s_max"] = float(np.max(refresh))
            commit_day(uri, d, keys)
            history.append(keys)
            start = time.perf_counter()
            with runs.locked():
                runs.refresh(lance.dataset(uri))
            refresh.append(time.perf_counter() - start)
        disk = sum(p.stat().st_size for p in (scratch / "runs").rglob("*") if p.is_file())
        cmd = [sys.executable, "-m", "bench.near_dup_index", "--replay", uri, str(scratch / "replay")]
        out = subprocess.run(cmd, capture_output=True, text=True)
        if out.returncode:
            raise RuntimeError(f"the replayed refreshes failed:\n{out.stderr[-4000:]}")
        memory = json.loads(out.stdout.strip().splitlines()[-1])
    first, last = results[marks[0]], results[marks[-1]]
    growth = {f"{k}_growth_{marks[0]}_to_{marks[-1]}_days": last[f"{k}_s"] / first[f"{k}_s"]
              for k in ("lookup", "scan", "rebuild")}
    figures = {"docs_per_day": docs, "bands": BANDS, "checkpoints": {str(k): v for k, v in results.items()},
               **growth, "runs_bytes_per_history_doc": disk / (docs * (marks[-1] + 1)), **memory,
               "units": "MB = MiB"}
    rows = [(d, r["pairs"], r["runs"], *(f"{r[k + '_s']:.3f} ({r[k + '_cpu_s']:.3f})"
                                         for k in ("lookup", "scan", "rebuild")),
             f"{r['scan_over_lookup']:.1f}", f"{r['rebuild_over_lookup']:.1f}",
             f"{r['refresh_s_mean']:.3f}/{r['refresh_s_max']:.3f}", r["same_pairs"])
            for d, r in results.items()]
    print_table(["days of history", "pairs", "runs", "lookup s (cpu)", "scan s (cpu)", "rebuild s (cpu)",
                 "scan / lookup", "rebuild / lookup", "refresh s mean/max", "same"], rows,
                title=f"near_dup_index lookup of a {docs:,}-document day")
    print_table(["figure", "value"], [*growth.items(), ("runs bytes per history document",
                                                        figures["runs_bytes_per_history_doc"]),
                                      *memory.items()])
    write_result("near_dup_index", figures)
    if not all(r["same_pairs"] for r in results.values()):
        raise AssertionError("the lookup's pairs differ from the full scan's")
    return figures


if __name__ == "__main__":
    main()
