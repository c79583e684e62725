"""Media through the loader: Lance blobs against Parquet (bytes column, tuned row groups) and a tar.

Data (bench/media_data.py): a day of 2,000 distinct JPEG pictures taken through raw_media, clean_media and
a mixture holding each once; the same pictures as Parquet with a bytes column at several row-group sizes and
as a WebDataset tar. Every method of an operation returns the bytes of every file it reads, checked equal
before timing (same files, same order for the take); datasets, files and indexes are opened once, outside
the timed part, as a training loader opens them.
  random take   500 random samples: Lance through `MediaMixture.read` (one planned `read_blobs` of the
                samples' row addresses) and through `MediaMixture.take` (file-like `take_blobs`, read one
                by one); Parquet reading only the row groups that hold them; `pread_floor`, one `os.pread`
                per image from the tar at offsets indexed beforehand: no format at all, the least work any
                reader returning the bytes can do (it bounds the ratio any format can reach against Parquet)
  full stream   every picture: Lance through the loader's shuffled epoch (`MediaMixture.batches`) and in
                storage order (`read_blobs`); Parquet `iter_batches`; the tar read sequentially
Targets (issue 19): random take >= 10x faster than the fastest Parquet; the loader's full stream at least as
fast as reading the tar sequentially.

    python -m bench.media [--quick] [--images N] [--take N] [--repeat N] [--regenerate]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import tarfile
from collections import Counter
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path

import lance
import numpy as np
import pyarrow.parquet as pq

from bench.common import load_average, median_times, print_table, write_result
from bench.lance_vs_parquet import parquet_take
from bench.media_data import MIXTURE, NAME, PARQUET_ROW_GROUPS, parquet_path, prepare
from platform_assets.mixtures.loader import ShardedOrder
from platform_assets.mixtures.media_loader import MediaMixture
from resources.lance_datasets import dataset_uri

BATCH = 64  # files per loader batch / per Parquet batch
Method = Callable[[int], Iterable[bytes]]  # round -> the bytes it read, file by file
TAKE_PARTS = "random_take_parts"


def parquet_read_take(pf: pq.ParquetFile, starts: np.ndarray, rows: np.ndarray) -> list[bytes]:
    return parquet_take(pf, starts, rows, columns=["bytes"]).column("bytes").to_pylist()


def parquet_stream(pf: pq.ParquetFile) -> Iterable[bytes]:
    for batch in pf.iter_batches(batch_size=BATCH, columns=["bytes"]):
        yield from batch.column(0).to_pylist()


def parquet_methods(folder: Path, to_clean: np.ndarray, picks: list[np.ndarray]) -> tuple[dict, dict]:
    """Per row-group size: the take (only the row groups holding the samples) and the stream."""
    take, stream = {}, {}
    for rows in PARQUET_ROW_GROUPS:
        pf = pq.ParquetFile(parquet_path(folder, rows), memory_map=True)  # faster than read() on local files
        starts = np.cumsum([0] + [pf.metadata.row_group(i).num_rows for i in range(pf.num_row_groups)])[:-1]
        read = partial(parquet_read_take, pf, starts)
        take[f"parquet_rg{rows}"] = lambda r, read=read: read(to_clean[picks[r]])
        stream[f"parquet_rg{rows}"] = lambda _r, pf=pf: parquet_stream(pf)
    return take, stream


def tar_index(path: Path) -> dict[str, tuple[int, int]]:
    with tarfile.open(path) as tar:
        return {m.name[:-4]: (m.offset_data, m.size) for m in tar.getmembers() if m.name.endswith(".jpg")}


def tar_sequential(path: Path) -> Iterable[bytes]:
    with tarfile.open(path, mode="r|") as tar:
        for member in tar:
            if member.name.endswith(".jpg"):
                yield tar.extractfile(member).read()


def first_bytes(ds: lance.LanceDataset, addresses: np.ndarray) -> list[bytes]:
    """One byte of each blob: what Lance's planned blob reader costs per blob, apart from the bytes."""
    requests = [(a, 0, 1) for a in addresses.tolist()]
    return [b for _, _, b in ds.read_blob_ranges("media", requests, selector="addresses")]


def operations(folder: Path, take: int, rounds: int) -> dict[str, dict[str, Method]]:
    mix = MediaMixture.open(MIXTURE, root_uri=str(folder / "lake"))
    clean = lance.dataset(dataset_uri(str(folder / "lake"), ["clean_media"]))
    n = len(mix)
    in_clean = {d: i for i, d in enumerate(clean.to_table(columns=["doc_id"]).column("doc_id").to_pylist())}
    sample_ids = mix.rows.take(np.arange(n), columns=["doc_id"]).column("doc_id").to_pylist()
    to_clean = np.array([in_clean[d] for d in sample_ids])  # Parquet and the tar keep clean_media's order
    picks = [np.random.default_rng(r).choice(n, size=take, replace=False) for r in range(rounds)]
    pq_take, pq_stream = parquet_methods(folder, to_clean, picks)
    index = tar_index(folder / "media.tar")
    spans = [index[d] for d in sample_ids]
    fd = os.open(folder / "media.tar", os.O_RDONLY)

    def in_order(_r: int) -> Iterable[bytes]:
        for lo in range(0, n, BATCH):
            yield from (b for _, b in clean.read_blobs("media", indices=list(range(lo, min(lo + BATCH, n)))))

    ds = mix._dataset(int(mix.versions[0]))
    return {
        "random_take": {"lance_loader": lambda r: mix.read(picks[r]),
                        "lance_take_blobs": lambda r: [f.read() for f in mix.take(picks[r])[1]],
                        **pq_take,
                        "pread_floor": lambda r: [os.pread(fd, spans[i][1], spans[i][0]) for i in picks[r]]},
        "full_stream": {"lance_loader": lambda r: (b for _, got in mix.batches(ShardedOrder(n, seed=r), BATCH)
                                                   for b in got),
                        "lance_in_order": in_order, **pq_stream,
                        "tar_sequential": lambda _r: tar_sequential(folder / "media.tar")},
        # where the loader's take goes (not checked: these do not return the files)
        TAKE_PARTS: {"lance_1_byte_per_blob": lambda r: first_bytes(ds, mix.addresses[picks[r]]),
                     "mixture_rows": lambda r: [mix.rows.take(picks[r]).nbytes.to_bytes(8, "little")]},
    }


def check(ops: dict[str, dict[str, Method]]) -> None:
    """Round 0: every random-take method returns the same files' bytes in the same order; every full-stream
    method returns every file's bytes once (its own order)."""
    for op, fns in ops.items():
        if op == TAKE_PARTS:
            continue
        digests = {m: [hashlib.sha256(b).digest() for b in fn(0)] for m, fn in fns.items()}
        seen = {m: (d if op == "random_take" else Counter(d)) for m, d in digests.items()}
        first = next(iter(seen.values()))
        if any(s != first for s in seen.values()) or not digests[next(iter(digests))]:
            raise AssertionError(f"{op}: methods disagree on the bytes read: "
                                 f"{ {m: len(d) for m, d in digests.items()} }")


def timed(fns: dict[str, Method]) -> dict[str, Callable[[int], int]]:
    """The timed form of each method: the bytes it read, counted."""
    return {m: lambda r, fn=fn: sum(len(b) for b in fn(r)) for m, fn in fns.items()}


def fastest_parquet(times: dict[str, float]) -> tuple[str, float]:
    return min(((m, t) for m, t in times.items() if m.startswith("parquet_")), key=lambda x: x[1])


def targets(med: dict[str, dict[str, float]]) -> dict[str, dict]:
    best, best_t = fastest_parquet(med["random_take"])
    take = best_t / med["random_take"]["lance_loader"]
    stream = med["full_stream"]["tar_sequential"] / med["full_stream"]["lance_loader"]
    return {"random_take_vs_parquet": {"goal": f"{best} / lance >= 10", "value": round(take, 3),
                                       "met": bool(take >= 10)},
            "full_stream_vs_tar": {"goal": "tar / lance loader >= 1", "value": round(stream, 3),
                                   "met": bool(stream >= 1)}}


def bounds(cpu: dict[str, dict[str, float]]) -> dict[str, float]:
    """In CPU time (the work, which a shared machine's other load changes far less than wall time)."""
    take, parts = cpu["random_take"], cpu[TAKE_PARTS]
    best = fastest_parquet(take)[1]
    return {"parquet_over_lance_loader_cpu": round(best / take["lance_loader"], 3),
            "parquet_over_pread_floor_cpu": round(best / take["pread_floor"], 3),
            "lance_fixed_cost_share_cpu": round(parts["lance_1_byte_per_blob"] / take["lance_loader"], 3)}


def report(med: dict[str, dict[str, float]], cpu: dict[str, dict[str, float]], found: dict[str, dict],
           limits: dict[str, float]) -> None:
    base = {op: med["random_take" if op == TAKE_PARTS else op]["lance_loader"] for op in med}
    rows = [[op, m, t * 1e3, cpu[op][m] * 1e3, t / base[op]]
            for op, times in med.items() for m, t in times.items()]
    print_table(["operation", "method", "median ms", "cpu ms", "x lance loader time"], rows,
                title="medians (ratios > 1: the Lance loader is faster)")
    print_table(["target", "goal", "value", "status"],
                [[k, t["goal"], t["value"], "MET" if t["met"] else "NOT MET"] for k, t in found.items()],
                title="targets")
    print_table(["bound (cpu time)", "value"], [[k, v] for k, v in limits.items()],
                title="what bounds the take ratio: parquet / pread_floor is the most any reader returning "
                      "these bytes could reach")


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(prog="python -m bench.media", description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="small smoke run (200 pictures, 2 rounds)")
    p.add_argument("--images", type=int, help="pictures in the partition (default 2,000; --quick 200)")
    p.add_argument("--take", type=int, default=500, help="samples per random take (capped at images/2)")
    p.add_argument("--repeat", type=int, help="timed rounds per method (default 7; --quick 2)")
    p.add_argument("--regenerate", action="store_true")
    args = p.parse_args(argv)
    images = args.images or (200 if args.quick else 2_000)
    take = min(args.take, images // 2)
    repeat = args.repeat or (2 if args.quick else 7)
    folder = prepare(images, args.regenerate)
    ops = operations(folder, take, rounds=repeat + 1)
    check(ops)
    load_at_start = load_average()
    cpu: dict[str, dict[str, float]] = {op: {} for op in ops}
    med = {op: median_times(timed(fns), repeat, warmup=1, cpu=cpu[op]) for op, fns in ops.items()}
    found, limits = targets(med), bounds(cpu)
    report(med, cpu, found, limits)
    sizes = {p.name: round(sum(f.stat().st_size for f in p.rglob("*") if f.is_file()) / 2**20, 1)
             if p.is_dir() else round(p.stat().st_size / 2**20, 1)
             for p in [folder / "lake" / "clean_media.lance", folder / "media.tar",
                       *(parquet_path(folder, g) for g in PARQUET_ROW_GROUPS)]}
    figures = {"quick": args.quick,
               "params": {"images": images, "take": take, "repeat": repeat,
                          "parquet_row_groups": list(PARQUET_ROW_GROUPS), "parquet_compression": "none",
                          "batch": BATCH, "lance": lance.__version__},
               "units": {"medians_ms": "milliseconds, median of interleaved rounds",
                         "cpu_ms": "process CPU milliseconds (all threads), median", "sizes_mb": "MiB"},
               "medians_ms": {op: {m: round(t * 1e3, 3) for m, t in med[op].items()} for op in med},
               "cpu_ms": {op: {m: round(t * 1e3, 3) for m, t in cpu[op].items()} for op in cpu},
               "targets": found, "bounds": limits, "sizes_mb": sizes,
               "load_average_at_start": load_at_start}
    print(f"\nwrote {write_result(NAME, figures)}")
    return figures


if __name__ == "__main__":
    main()
