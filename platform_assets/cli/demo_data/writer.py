"""Writes the corpus as landing files `<landing>/<source>/<day>/part-NNNNN<suffix>`, byte-for-byte
reproducible (gzip without a timestamp, single-threaded zstd, fixed Parquet settings).

Compression and Parquet encoding run in a thread pool (zlib, zstd and Arrow release the GIL) while the
next file is serialized. Returns what ingestion should find per day and the files written.
"""

from __future__ import annotations

import gzip
import shutil
import zlib
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import zstandard

from platform_assets.cli.demo_data.corpus import Broken, Corpus, Doc
from platform_assets.cli.demo_data.sources import BY_NAME, DemoSource

SHARD_DOCS = 5000
TRUNCATE_AT = 0.6  # share of the compressed bytes kept in the truncated file


def _record(item: Doc | Broken, spec: DemoSource) -> dict | bytes:
    if isinstance(item, Broken):
        return item.payload
    f = spec.fields
    row = {} if item.source_id is None else {f["id"]: item.source_id}
    row[f["text"]] = item.text
    if item.url is not None or spec.suffix == ".parquet":
        row[f["url"]] = item.url
    if item.meta is not None or spec.suffix == ".parquet":
        row[f["meta"]] = item.meta
    return row


def _encode(rows: list[dict | bytes], suffix: str) -> bytes:
    data = b"\n".join(r if isinstance(r, bytes) else orjson.dumps(r) for r in rows) + b"\n"
    if suffix == ".jsonl.gz":
        return gzip.compress(data, compresslevel=1, mtime=0)
    if suffix == ".jsonl.zst":
        return zstandard.ZstdCompressor(level=3).compress(data)
    return data


def _write(path: Path, rows: list[dict | bytes], suffix: str) -> int:
    if suffix == ".parquet":
        pq.write_table(pa.Table.from_pylist(rows), path, compression="zstd", row_group_size=1024)
    else:
        path.write_bytes(_encode(rows, suffix))
    return path.stat().st_size


def _interleave(rng, docs: list[Doc], broken: list[Broken]) -> list[Doc | Broken]:
    items: list[Doc | Broken] = list(docs)
    for b in broken:  # within the first shard, so every shard count sees them
        items.insert(rng.randint(0, min(len(items), SHARD_DOCS - 1)), b)
    return items


class _Writer:
    def __init__(self, corpus: Corpus, landing: Path, pool: ThreadPoolExecutor):
        self.corpus, self.landing, self.pool = corpus, landing, pool
        self.files: list[dict] = []
        self.pending: list[Future] = []
        self.expected: dict[str, dict] = {d: {"raw_records": 0, "quarantined": Counter(), "lines_written": 0,
                                              "records_lost_in_truncation": 0} for d in corpus.days}

    def source_day(self, source: str, day: str) -> None:
        spec, folder = BY_NAME[source], self.landing / source / day
        shutil.rmtree(folder, ignore_errors=True)  # the generator owns these folders: no stale shards
        folder.mkdir(parents=True)
        broken = [b for b in self.corpus.broken if (b.source, b.day) == (source, day)]
        docs = self.corpus.docs.get((source, day), [])
        items = _interleave(self.corpus.rng("layout", source, day), docs, broken)
        shards = [items[i:i + SHARD_DOCS] for i in range(0, len(items), SHARD_DOCS)]
        for n, shard in enumerate(shards):
            path = folder / f"part-{n:05d}{spec.suffix}"
            rel = path.relative_to(self.landing).as_posix()
            for line, item in enumerate(shard, 1):
                item.file, item.line = rel, line
            rows = [_record(item, spec) for item in shard]
            self.pending.append(self.pool.submit(_write, path, rows, spec.suffix))
            self.files.append({"file": rel, "source": source, "day": day, "lines": len(shard)})
        exp = self.expected[day]
        exp["raw_records"] += len(items) - len(broken)
        exp["quarantined"].update(b.error_kind for b in broken)
        exp["lines_written"] += len(items)
        for t_source, t_day, docs in self.corpus.truncated:
            if (t_source, t_day) == (source, day):
                self.truncated(folder / f"part-{len(shards):05d}{spec.suffix}", spec, docs)

    def truncated(self, path: Path, spec: DemoSource, docs: list[Doc]) -> None:
        data = _encode([_record(d, spec) for d in docs], spec.suffix)
        cut = data[: int(len(data) * TRUNCATE_AT)]
        path.write_bytes(cut)
        kept = zlib.decompressobj(wbits=31).decompress(cut).count(b"\n")  # complete lines before the break
        rel = path.relative_to(self.landing).as_posix()
        for line, doc in enumerate(docs[:kept], 1):
            doc.file, doc.line = rel, line
        exp = self.expected[docs[0].day]
        exp["raw_records"] += kept
        exp["quarantined"]["truncated_file"] += 1
        exp["lines_written"] += kept + 1  # the broken tail reads as one more (quarantined) line
        exp["records_lost_in_truncation"] += len(docs) - kept
        self.files.append({"file": rel, "source": docs[0].source, "day": docs[0].day, "lines": kept + 1})
        self.corpus.record("truncated_files", {
            "file": rel, "records_written": len(docs), "records_recovered": kept, "break_line": kept + 1,
            "recovered": docs[:kept], "lost_source_ids": [d.source_id for d in docs[kept:]],
        })


def write_corpus(corpus: Corpus, landing: Path, threads: int = 4) -> tuple[dict, list[dict]]:
    """Write every (source, day); returns (expected ingest counts per day, files written)."""
    with ThreadPoolExecutor(threads) as pool:
        writer = _Writer(corpus, landing, pool)
        for day in corpus.days:
            for source in BY_NAME:
                writer.source_day(source, day)
        for future in writer.pending:
            future.result()
    for exp in writer.expected.values():
        exp["quarantined"] = dict(sorted(exp["quarantined"].items()))
    return writer.expected, writer.files
