"""Media through the loader: Lance blobs against Parquet (bytes column, tuned row groups) and a tar.

Data (bench/media_data.py): a day of 2,000 distinct JPEG pictures taken through raw_media, clean_media and
a mixture holding each once; the same pictures as Parquet with a bytes column at several row-group sizes and
as a WebDataset tar. Every method of an operation returns the bytes of every file it reads, checked equal
before timing (same files, same order for a take); datasets, files and indexes are opened once, outside
the timed part, as a training loader opens them (bench/media_methods.py).
  random_take        500 random samples in one call: Lance through `MediaMixture.read` (one planned
                     `read_blobs` of the samples' row addresses) and `MediaMixture.take` (file-like
                     `take_blobs`, read one by one); Parquet reading only the row groups that hold them, at
                     1, 16 and 100 rows per group, memory-mapped, pre-buffered or plain; `pread_floor`, one
                     `os.pread` per file from the tar at offsets indexed beforehand (no format at all); and
                     `memory_copy_floor`, the files sliced out of the tar held in memory (no I/O at all: the
                     cost of producing the output alone)
  loader_batch       64 random samples in one call: what a training loader asks for each step
  *_cold             the same with the bench's files evicted from the page cache before every call (what a
                     shuffled epoch over a dataset larger than memory sees); the disk bytes each call read
  full_stream        every picture: Lance through the loader's shuffled epoch (`MediaMixture.batches`, one
                     read per batch of 64 and one per 8 batches) and in storage order (`read_blobs`);
                     Parquet `iter_batches`; the tar read sequentially
Targets (issue 19): random take >= 10x faster than the fastest Parquet (stated for every take operation);
the loader's full stream at least as fast as reading the tar sequentially.

    python -m bench.media [--quick] [--images N] [--take N] [--repeat N] [--no-cold] [--regenerate]
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
from collections import Counter
from collections.abc import Callable
from functools import partial

import lance

from bench.common import load_average, median_times, print_table, write_result
from bench.media_data import NAME, PARQUET_ROW_GROUPS, parquet_path, prepare
from bench.media_methods import BATCH, PARQUET_MODES, MediaBench, Method
from bench.page_cache import can_evict, disk_read_bytes

TAKE_OPS = {"random_take": ("take", False), "loader_batch": ("batch", False),
            "random_take_cold": ("take", True), "loader_batch_cold": ("batch", True)}
TAKE_PARTS = "random_take_parts"


def check(ops: dict[str, dict[str, Method]]) -> None:
    """Round 0: every method of a take returns the same files' bytes in the same order; every full-stream
    method returns every file's bytes once (its own order)."""
    for op, fns in ops.items():
        if op == TAKE_PARTS:
            continue
        digests = {m: [hashlib.sha256(b).digest() for b in fn(0)] for m, fn in fns.items()}
        seen = {m: (Counter(d) if op == "full_stream" else d) for m, d in digests.items()}
        first = next(iter(seen.values()))
        if any(s != first for s in seen.values()) or not digests[next(iter(digests))]:
            raise AssertionError(f"{op}: methods disagree on the bytes read: "
                                 f"{ {m: len(d) for m, d in digests.items()} }")


def timed(fns: dict[str, Method], disk: dict[str, list[int]]) -> dict[str, Callable[[int], int]]:
    """The timed form of each method: the bytes it returned, counted; the disk bytes of each call go to
    `disk` (two reads of /proc/self/io, microseconds)."""

    def run(m: str, fn: Method, r: int) -> int:
        start = disk_read_bytes() or 0
        count = sum(len(b) for b in fn(r))
        disk.setdefault(m, []).append((disk_read_bytes() or 0) - start)
        return count

    return {m: lambda r, m=m, fn=fn: run(m, fn, r) for m, fn in fns.items()}


def fastest_parquet(times: dict[str, float]) -> tuple[str, float]:
    return min(((m, t) for m, t in times.items() if m.startswith("parquet_")), key=lambda x: x[1])


def targets(med: dict[str, dict[str, float]]) -> dict[str, dict]:
    """Every take operation against its fastest Parquet (>= 10x); the loader's epoch against the tar."""
    found = {}
    for op in (op for op in TAKE_OPS if op in med):
        best, best_t = fastest_parquet(med[op])
        ratio = best_t / med[op]["lance_loader"]
        found[f"{op}_vs_parquet"] = {"goal": f"{best} / lance >= 10", "value": round(ratio, 3),
                                     "met": bool(ratio >= 10)}
    stream = med["full_stream"]["tar_sequential"] / med["full_stream"]["lance_loader"]
    found["full_stream_vs_tar"] = {"goal": "tar / lance loader >= 1", "value": round(stream, 3),
                                   "met": bool(stream >= 1)}
    return found


def bounds(med: dict[str, dict[str, float]], cpu: dict[str, dict[str, float]]) -> dict[str, float]:
    """What caps a take's ratio: the fastest Parquet over the floors (warm: CPU time, the work, which other
    load changes far less than wall time; cold: wall time, as the wait on the disk is what counts)."""
    found = {}
    for op in (op for op in TAKE_OPS if op in med):
        times = med[op] if op.endswith("_cold") else cpu[op]
        unit = "wall" if op.endswith("_cold") else "cpu"
        best = fastest_parquet(times)[1]
        for floor in ("lance_loader", "pread_floor", "memory_copy_floor"):
            if floor in times:
                found[f"{op}: parquet_over_{floor}_{unit}"] = round(best / times[floor], 3)
    parts = cpu[TAKE_PARTS]
    found["random_take: lance_fixed_cost_share_cpu"] = round(parts["lance_1_byte_per_blob"]
                                                             / cpu["random_take"]["lance_loader"], 3)
    return found


def report(med: dict[str, dict[str, float]], cpu: dict[str, dict[str, float]], disk: dict[str, dict],
           files: dict[str, int], found: dict[str, dict], limits: dict[str, float]) -> None:
    base = {op: med["random_take" if op == TAKE_PARTS else op]["lance_loader"] for op in med}
    rows = [[op, m, t * 1e3, cpu[op][m] * 1e3, t * 1e6 / files.get(op, 0) if files.get(op) else "",
             disk[op][m], t / base[op]] for op, times in med.items() for m, t in times.items()]
    print_table(["operation", "method", "median ms", "cpu ms", "us/file", "disk MB/call", "x lance loader"],
                rows, title="medians (x lance loader > 1: the Lance loader is faster)")
    print_table(["target", "goal", "value", "status"],
                [[k, t["goal"], t["value"], "MET" if t["met"] else "NOT MET"] for k, t in found.items()],
                title="targets")
    print_table(["bound", "value"], [[k, v] for k, v in limits.items()],
                title="what bounds a take's ratio: fastest parquet / a floor is the most a reader that does "
                      "only the floor's work could reach")


def plan(bench: MediaBench, cold: bool) -> dict[str, Callable[[], tuple[dict, Callable | None]]]:
    """Operation -> what builds its methods (and the untimed step before each call). Cold operations come
    first: a memory map held by a warm method would keep the pages it touched cached."""
    cold_first = sorted(TAKE_OPS.items(), key=lambda kv: not kv[1][1])
    ops = {op: partial(bench.take_methods, kind, is_cold) for op, (kind, is_cold) in cold_first
           if cold or not is_cold}
    return ops | {"full_stream": lambda: (bench.stream_methods(), None),
                  TAKE_PARTS: lambda: (bench.take_parts(), None)}


def measure(ops: dict[str, Callable[[], tuple[dict, Callable | None]]], repeat: int) -> tuple:
    """Medians (wall, CPU) and median disk MiB per call of every method of every operation; each operation's
    methods are built, checked, timed and dropped (with their files and memory maps) before the next."""
    cpu: dict[str, dict[str, float]] = {op: {} for op in ops}
    disk: dict[str, dict[str, float]] = {}
    med = {}
    for op, build in ops.items():
        fns, before = build()
        check({op: fns})
        calls: dict[str, list[int]] = {}
        med[op] = median_times(timed(fns, calls), repeat, warmup=1, cpu=cpu[op], before=before)
        disk[op] = {m: round(statistics.median(b) / 2**20, 2) for m, b in calls.items()}
        del fns, before  # no cycles hold them: their files and memory maps close here
    return med, cpu, disk


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(prog="python -m bench.media", description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="small smoke run (200 pictures, 2 rounds)")
    p.add_argument("--images", type=int, help="pictures in the partition (default 2,000; --quick 200)")
    p.add_argument("--take", type=int, default=500, help="samples per random take (capped at images/2)")
    p.add_argument("--repeat", type=int, help="timed rounds per method (default 7; --quick 2)")
    p.add_argument("--no-cold", action="store_true", help="skip the cold-cache operations")
    p.add_argument("--regenerate", action="store_true")
    args = p.parse_args(argv)
    images = args.images or (200 if args.quick else 2_000)
    take = min(args.take, images // 2)
    repeat = args.repeat or (2 if args.quick else 7)
    folder = prepare(images, args.regenerate)
    bench = MediaBench(folder, take, rounds=repeat + 1)
    cold = can_evict() and not args.no_cold
    load_at_start = load_average()
    med, cpu, disk = measure(plan(bench, cold), repeat)
    files = {op: len(bench.samples(kind, 0)) for op, (kind, _) in TAKE_OPS.items()} | {"full_stream": bench.n}
    found, limits = targets(med), bounds(med, cpu)
    report(med, cpu, disk, files, found, limits)
    cold_ops = [op for op in med if op.endswith("_cold")]
    verified = bool(cold_ops) and all(mb > 0 for op in cold_ops for mb in disk[op].values())
    if cold_ops and not verified:
        print("\nwarning: a cold-cache call read nothing from disk: the eviction did not take here")
    figures = {"quick": args.quick,
               "params": {"images": images, "take": take, "batch": bench.batch, "repeat": repeat,
                          "parquet_row_groups": list(PARQUET_ROW_GROUPS), "parquet_modes": PARQUET_MODES,
                          "parquet_compression": "none", "stream_batch": BATCH, "lance": lance.__version__},
               "units": {"medians_ms": "milliseconds, median of interleaved rounds",
                         "cpu_ms": "process CPU milliseconds (all threads), median",
                         "disk_mb": "MiB read from storage per call (/proc/self/io read_bytes), median",
                         "needed_mb": "MiB of the files a call returns, mean", "sizes_mb": "MiB"},
               "medians_ms": {op: {m: round(t * 1e3, 3) for m, t in med[op].items()} for op in med},
               "cpu_ms": {op: {m: round(t * 1e3, 3) for m, t in cpu[op].items()} for op in cpu},
               "disk_mb": disk, "cold_cache_verified": verified,
               "needed_mb": {kind: round(bench.needed_mb(kind), 2) for kind in ("take", "batch")},
               "targets": found, "bounds": limits, "sizes_mb": sizes(folder),
               "load_average_at_start": load_at_start}
    print(f"\nwrote {write_result(NAME, figures)}")
    return figures


def sizes(folder) -> dict[str, float]:
    paths = [folder / "lake" / "clean_media.lance", folder / "media.tar",
             *(parquet_path(folder, g) for g in PARQUET_ROW_GROUPS)]
    return {p.name: round(sum(f.stat().st_size for f in p.rglob("*") if f.is_file()) / 2**20, 1)
            if p.is_dir() else round(p.stat().st_size / 2**20, 1) for p in paths}


if __name__ == "__main__":
    main()
