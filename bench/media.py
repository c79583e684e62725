"""Media through the loader: Lance blobs against Parquet (bytes column, tuned row groups) and a tar.

Data (generated once, deterministic, reused while its parameters match): a day of 2,000 JPEG pictures (smooth
random gradients plus noise, 192-320 px a side, ~20-60 KB) with captions, landed as a folder with a sidecar
and taken through the platform's own path: raw_media (decode, features, blob column), clean_media (filters,
dedup, PII), and a mixture over clean_media with every picture once (`image_text`-style spec). The same
clean pictures, in the same order, are written to a Parquet file with a bytes column and a WebDataset tar.
Operations, all returning every byte of every file:
  random take   500 random samples: Lance through `MediaMixture.read` (take_blobs of the sampled rows);
                Parquet reading only the row groups that hold them; the tar has no random access
  full stream   every picture: Lance through the loader's shuffled epoch (`MediaMixture.batches`), and
                Lance read in storage order (`read_blobs`); Parquet `iter_batches`; the tar read sequentially
Targets (issue 19): random take >= 10x faster than tuned Parquet; the loader's full stream at least as fast
as reading the tar sequentially.

    python -m bench.media [--quick] [--images N] [--take N] [--repeat N] [--regenerate]
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import tarfile
from pathlib import Path

import lance
import numpy as np
import orjson
import pyarrow as pa
import pyarrow.parquet as pq
from PIL import Image

from bench.common import data_dir, load_average, median_times, print_table, write_result
from bench.lance_vs_parquet import parquet_take
from platform_assets import settings
from platform_assets.media.stage import MediaStage
from platform_assets.mixtures.build import build_mixture
from platform_assets.mixtures.loader import ShardedOrder
from platform_assets.mixtures.media_loader import MediaMixture
from platform_assets.mixtures.spec import MixtureSpec
from platform_assets.processors.media.config import MEDIA_FILE, load_media_config
from platform_assets.processors.media.ingest import MediaPartition
from platform_assets.processors.sources import SourceConfig
from resources import lance_writes
from resources.duckdb_engine import DuckDBEngine
from resources.lance_datasets import dataset_uri

NAME = "media"
DAY = "2026-01-15"
ROW_GROUP = 32  # Parquet rows per group (~1.3 MB): small groups make its random take cheap, the tuned case
BATCH = 64  # files per loader batch / per Parquet batch
METHODS = {"random_take": ("lance_loader", "parquet"),
           "full_stream": ("lance_loader", "lance_in_order", "parquet", "tar_sequential")}


def picture(rng: np.random.Generator) -> bytes:
    w, h = (int(x) for x in rng.integers(192, 321, 2))
    y, x = np.mgrid[0:h, 0:w]
    base = rng.uniform(0, 255, 3) + rng.uniform(-1, 1, 3) * x[..., None] / w * 200
    base = base + rng.uniform(-1, 1, 3) * y[..., None] / h * 200 + rng.normal(0, 12, (h, w, 3))
    buf = io.BytesIO()
    Image.fromarray(np.clip(base, 0, 255).astype(np.uint8)).save(buf, "JPEG", quality=85)
    return buf.getvalue()


def land(landing: Path, images: int) -> None:
    folder = landing / "pics" / DAY
    folder.mkdir(parents=True)
    rng = np.random.default_rng(19)
    lines = []
    for i in range(images):
        (folder / f"p{i:05d}.jpg").write_bytes(picture(rng))
        lines.append(orjson.dumps({"file": f"p{i:05d}.jpg", "id": f"p{i}",
                                   "caption": f"A smooth colour gradient with fine grain, number {i}."}))
    (folder / "captions.jsonl").write_bytes(b"\n".join(lines) + b"\n")


def build_lake(folder: Path, images: int) -> None:
    """raw_media -> clean_media -> a mixture holding every clean picture once, then Parquet and tar copies."""
    lake, config = str(folder / "lake"), load_media_config(settings.spec_dir() / MEDIA_FILE)
    part = MediaPartition(folder / "landing", DAY, {"pics": SourceConfig(modality="image")}, config.max_bytes)
    lance_writes.replace_partitions(dataset_uri(lake, ["raw_media"]), part.reader(), ["day"], [(DAY,)])
    stage = MediaStage(lance.dataset(dataset_uri(lake, ["raw_media"])), DAY, config)
    stage.run()
    lance_writes.replace_partitions(dataset_uri(lake, ["clean_media"]), stage.clean_reader(), ["day"],
                                    [(DAY,)])
    lance.write_dataset(pa.table({"doc_id": pa.array([], pa.string())}),
                        dataset_uri(lake, ["heldout_documents"]))
    clean = lance.dataset(dataset_uri(lake, ["clean_media"]))
    tokens = clean.to_table(columns=["token_count"]).column("token_count").to_numpy().sum()
    sql = "select doc_id, caption as text, token_count from {{ ref('clean_media') }}"
    spec = MixtureSpec(name="bench_media", description="every bench picture once", seed=3,
                       requested_tokens=int(tokens), exclusions={"contaminated": False},
                       components=[{"name": "images", "target_ratio": 1.0, "sql": sql}])
    built = build_mixture(spec, DuckDBEngine(root_uri=lake), folder / "work")
    lance_writes.replace_partitions(dataset_uri(lake, ["mixtures"]), built.reader, ["mixture"],
                                    [("bench_media",)])
    table = clean.scanner(columns=["doc_id", "caption", "media"], blob_handling="all_binary").to_table()
    pq.write_table(table.rename_columns(["doc_id", "caption", "bytes"]), folder / "media.parquet",
                   row_group_size=ROW_GROUP)
    with tarfile.open(folder / "media.tar", "w") as tar:
        for row in table.to_pylist():
            for name, data in ((f"{row['doc_id']}.jpg", row["media"]), (f"{row['doc_id']}.txt",
                                                                         row["caption"].encode())):
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))


def prepare(images: int, regenerate: bool) -> Path:
    folder = data_dir(NAME)
    params = {"images": images, "day": DAY, "row_group": ROW_GROUP, "version": 1}
    stamp = folder / "params.json"
    if regenerate or not stamp.exists() or json.loads(stamp.read_text()) != params:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        print(f"generating {images:,} pictures and their lake in {folder} ...", flush=True)
        land(folder / "landing", images)
        build_lake(folder, images)
        stamp.write_text(json.dumps(params))
    return folder


def tar_bytes(path: Path) -> int:
    total = 0
    with tarfile.open(path, mode="r|") as tar:
        for member in tar:
            if member.name.endswith(".jpg"):
                total += len(tar.extractfile(member).read())
    return total


def operations(folder: Path, take: int, rounds: int) -> dict[str, dict]:
    mix = MediaMixture.open("bench_media", root_uri=str(folder / "lake"))
    clean = lance.dataset(dataset_uri(str(folder / "lake"), ["clean_media"]))
    pf = pq.ParquetFile(folder / "media.parquet")
    starts = np.cumsum([0] + [pf.metadata.row_group(i).num_rows for i in range(pf.num_row_groups)])[:-1]
    n = len(mix)
    stored = clean.to_table(columns=["doc_id"]).column("doc_id").to_pylist()
    in_clean = {d: i for i, d in enumerate(stored)}  # the Parquet file keeps clean_media's row order
    to_parquet = np.array([in_clean[d] for d in mix.rows.take(np.arange(n)).column("doc_id").to_pylist()])
    picks = [np.random.default_rng(r).choice(n, size=take, replace=False) for r in range(rounds)]

    def loader_epoch(r: int) -> int:
        return sum(len(b) for _, data in mix.batches(ShardedOrder(n, seed=r), BATCH) for b in data)

    def lance_in_order(_r: int) -> int:
        return sum(len(b) for lo in range(0, n, BATCH)
                   for _, b in clean.read_blobs("media", indices=list(range(lo, min(lo + BATCH, n)))))

    def parquet_stream(_r: int) -> int:
        return sum(len(b) for batch in pf.iter_batches(batch_size=BATCH, columns=["bytes"])
                   for b in batch.column(0).to_pylist())

    return {
        "random_take": {
            "lance_loader": lambda r: sum(len(b) for b in mix.read(picks[r])),
            "parquet": lambda r: sum(len(b) for b in parquet_take(pf, starts, to_parquet[picks[r]])
                                     .column("bytes").to_pylist()),
        },
        "full_stream": {"lance_loader": loader_epoch, "lance_in_order": lance_in_order,
                        "parquet": parquet_stream,
                        "tar_sequential": lambda _r: tar_bytes(folder / "media.tar")},
    }


def check(ops: dict[str, dict]) -> None:
    """Every method of an operation returns the same number of bytes (round 0's input)."""
    for op, fns in ops.items():
        sizes = {m: fn(0) for m, fn in fns.items()}
        if len(set(sizes.values())) != 1:
            raise AssertionError(f"{op}: methods disagree on the bytes read: {sizes}")


def targets(med: dict[str, dict[str, float]]) -> dict[str, dict]:
    take = med["random_take"]["parquet"] / med["random_take"]["lance_loader"]
    stream = med["full_stream"]["tar_sequential"] / med["full_stream"]["lance_loader"]
    return {"random_take_vs_parquet": {"goal": "parquet / lance >= 10", "value": round(take, 3),
                                       "met": bool(take >= 10)},
            "full_stream_vs_tar": {"goal": "tar / lance loader >= 1", "value": round(stream, 3),
                                   "met": bool(stream >= 1)}}


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(prog="python -m bench.media", description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="small smoke run (200 pictures, 2 rounds)")
    p.add_argument("--images", type=int, help="pictures in the partition (default 2,000; --quick 200)")
    p.add_argument("--take", type=int, default=500, help="samples per random take (capped at images/2)")
    p.add_argument("--repeat", type=int, help="timed rounds per method (default 5; --quick 2)")
    p.add_argument("--regenerate", action="store_true")
    args = p.parse_args(argv)
    images = args.images or (200 if args.quick else 2_000)
    repeat = args.repeat or (2 if args.quick else 5)
    folder = prepare(images, args.regenerate)
    ops = operations(folder, min(args.take, images // 2), rounds=repeat + 1)
    check(ops)
    load_at_start = load_average()
    med = {op: median_times(fns, repeat, warmup=1) for op, fns in ops.items()}
    found = targets(med)
    rows = [[op, m, med[op][m] * 1e3, med[op][m] / med[op]["lance_loader"]]
            for op in METHODS for m in METHODS[op]]
    print_table(["operation", "method", "median ms", "x lance loader time"], rows,
                title="medians (ratios > 1: the Lance loader is faster)")
    print_table(["target", "goal", "value", "status"],
                [[k, t["goal"], t["value"], "MET" if t["met"] else "NOT MET"] for k, t in found.items()],
                title="targets")
    sizes = {p.name: round(sum(f.stat().st_size for f in p.rglob("*") if f.is_file()) / 2**20, 1)
             if p.is_dir() else round(p.stat().st_size / 2**20, 1)
             for p in [folder / "lake" / "clean_media.lance", folder / "media.parquet", folder / "media.tar"]}
    figures = {"quick": args.quick,
               "params": {"images": images, "take": min(args.take, images // 2), "repeat": repeat,
                          "parquet_row_group_rows": ROW_GROUP, "batch": BATCH, "lance": lance.__version__},
               "units": {"medians_ms": "milliseconds, median of interleaved rounds", "sizes_mb": "MiB"},
               "medians_ms": {op: {m: round(t * 1e3, 3) for m, t in med[op].items()} for op in med},
               "targets": found, "sizes_mb": sizes, "load_average_at_start": load_at_start}
    print(f"\nwrote {write_result(NAME, figures)}")
    return figures


if __name__ == "__main__":
    main()
