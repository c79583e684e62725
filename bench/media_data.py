"""bench/media's data: a day of distinct JPEG pictures taken through the platform's own path, plus copies.

`prepare(images)` lands `images` pictures (a random 8x8 colour grid blown up to 192-320 px a side, with
grain: ~16-40 KB each, pHashes ~32 bits apart, so the clean stage keeps every one) as a folder with a
sidecar, then runs raw_media (decode, features, blob column), clean_media (filters, dedup, PII) and a mixture
holding every picture once. The same clean pictures, in clean_media's row order, go to Parquet files with a
bytes column (one per row-group size in PARQUET_ROW_GROUPS) and to a WebDataset tar. Deterministic; reused
while its parameters match.
"""

from __future__ import annotations

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

from bench.common import data_dir
from platform_assets import settings
from platform_assets.media.stage import MediaStage
from platform_assets.mixtures.build import build_mixture
from platform_assets.mixtures.spec import MixtureSpec
from platform_assets.processors.media.config import MEDIA_FILE, load_media_config
from platform_assets.processors.media.ingest import MediaPartition
from platform_assets.processors.sources import SourceConfig
from resources import lance_writes
from resources.duckdb_engine import DuckDBEngine
from resources.lance_datasets import dataset_uri

NAME = "media"
DAY = "2026-01-15"
MIXTURE = "bench_media"
# Parquet rows per row group. A random take of 500 of 2,000 rows hits a group of g rows with probability
# 1 - 0.75**g, so only tiny groups avoid reading most of the file; a streaming reader wants large ones.
# 1: the random-access extreme (reads only the sampled rows); 16 (~0.4 MB): between; 100: Hugging Face
# datasets' row group for image, audio and binary columns (PARQUET_ROW_GROUP_SIZE_FOR_IMAGE_DATASETS).
# Uncompressed: JPEG bytes do not compress, so a codec only costs time. Read memory-mapped, without
# pre-buffering (both faster here). Each operation is compared with the fastest of these in the same run.
# One row per group is the fastest take, but its footer grows ~0.65 KB per row (1.3 MB here), which a real
# file of millions of images could not afford: the baseline is generous.
PARQUET_ROW_GROUPS = (1, 16, 100)


def parquet_path(folder: Path, rows_per_group: int) -> Path:
    return folder / f"media_rg{rows_per_group}.parquet"


def picture(rng: np.random.Generator) -> bytes:
    """A distinct JPEG: a random 8x8 colour grid blown up (so pHashes differ, ~32 bits apart) plus grain."""
    w, h = (int(x) for x in rng.integers(192, 321, 2))
    coarse = Image.fromarray(rng.integers(0, 256, (8, 8, 3), dtype=np.uint8)).resize((w, h), Image.BICUBIC)
    base = np.asarray(coarse, dtype=np.float64) + rng.normal(0, 18, (h, w, 3))
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
                                   "caption": f"A colour mosaic with fine grain, number {i}."}))
    (folder / "captions.jsonl").write_bytes(b"\n".join(lines) + b"\n")


def build_lake(folder: Path, images: int) -> pa.Table:
    """raw_media -> clean_media (every picture kept) -> a mixture holding each once; clean's rows back."""
    lake, config = str(folder / "lake"), load_media_config(settings.spec_dir() / MEDIA_FILE)
    part = MediaPartition(folder / "landing", DAY, {"pics": SourceConfig(modality="image")}, config.max_bytes)
    lance_writes.replace_partitions(dataset_uri(lake, ["raw_media"]), part.reader(), ["day"], [(DAY,)])
    stage = MediaStage(lance.dataset(dataset_uri(lake, ["raw_media"])), DAY, config)
    stage.run()
    if stage.decisions.kept.num_rows != images:
        raise RuntimeError(f"the clean stage kept {stage.decisions.kept.num_rows} of {images} pictures: "
                           f"{stage.summary()}")
    lance_writes.replace_partitions(dataset_uri(lake, ["clean_media"]), stage.clean_reader(), ["day"],
                                    [(DAY,)])
    lance.write_dataset(pa.table({"doc_id": pa.array([], pa.string())}),
                        dataset_uri(lake, ["heldout_documents"]))
    clean = lance.dataset(dataset_uri(lake, ["clean_media"]))
    tokens = clean.to_table(columns=["token_count"]).column("token_count").to_numpy().sum()
    sql = "select doc_id, caption as text, token_count from {{ ref('clean_media') }}"
    spec = MixtureSpec(name=MIXTURE, description="every bench picture once", seed=3,
                       requested_tokens=int(tokens), exclusions={"contaminated": False},
                       components=[{"name": "images", "target_ratio": 1.0, "sql": sql}])
    built = build_mixture(spec, DuckDBEngine(root_uri=lake), folder / "work")
    lance_writes.replace_partitions(dataset_uri(lake, ["mixtures"]), built.reader, ["mixture"],
                                    [(MIXTURE,)])
    return clean.scanner(columns=["doc_id", "caption", "media"], blob_handling="all_binary").to_table()


def write_copies(folder: Path, table: pa.Table) -> None:
    """The clean pictures as Parquet (bytes column, one file per row-group size) and a WebDataset tar."""
    plain = table.rename_columns(["doc_id", "caption", "bytes"])
    for rows in PARQUET_ROW_GROUPS:
        pq.write_table(plain, parquet_path(folder, rows), row_group_size=rows, compression="none")
    with tarfile.open(folder / "media.tar", "w") as tar:
        for row in table.to_pylist():
            for name, data in ((f"{row['doc_id']}.jpg", row["media"]),
                               (f"{row['doc_id']}.txt", row["caption"].encode())):
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))


def prepare(images: int, regenerate: bool) -> Path:
    folder = data_dir(NAME)
    params = {"images": images, "day": DAY, "row_groups": PARQUET_ROW_GROUPS, "version": 2}
    stamp = folder / "params.json"
    if regenerate or not stamp.exists() or json.loads(stamp.read_text()) != json.loads(json.dumps(params)):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        print(f"generating {images:,} pictures and their lake in {folder} ...", flush=True)
        land(folder / "landing", images)
        write_copies(folder, build_lake(folder, images))
        stamp.write_text(json.dumps(params))
    return folder
