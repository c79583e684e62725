"""No unbounded input: records over a source's size limit are quarantined unread; every chain caps tokens."""

from __future__ import annotations

import gzip
import json
import tracemalloc

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from platform_assets import settings
from platform_assets.processors.clean_config import FILTERS_FILE
from platform_assets.processors.filters._samples import DIALOG
from platform_assets.processors.ingest import MAX_RAW_BYTES
from platform_assets.processors.ingest_files import read_file
from platform_assets.processors.ingest_partition import LandingPartition
from platform_assets.processors.pipeline import CleanConfig, clean_batch, load_clean_config
from platform_assets.processors.sources import DEFAULT_MAX_DOCUMENT_BYTES, SourcesError, load_sources

DAY = "2026-11-02"


def _land(landing, source: str, name: str, data: bytes):
    path = landing / source / DAY / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _line(record: dict) -> bytes:
    return json.dumps(record).encode() + b"\n"


def test_a_record_over_the_default_limit_is_quarantined_too_large(tmp_path):
    huge = "word " * (DEFAULT_MAX_DOCUMENT_BYTES // 5 + 10)
    lines = [_line({"id": "a", "text": "small one"}), _line({"id": "b", "text": huge}),
             _line({"id": "c", "text": "x"})]
    _land(tmp_path, "web", "a.jsonl.gz", gzip.compress(b"".join(lines)))
    _land(tmp_path, "notes", "n.txt", huge.encode())
    books = _land(tmp_path, "books", "p.parquet", b"")
    pq.write_table(pa.table({"id": [1, 2], "text": ["fine", huge]}), books)
    part = LandingPartition(tmp_path, DAY, {})
    raw = part.reader().read_all()
    bad = part.quarantined().to_pylist()
    assert sorted(raw.column("source_id").to_pylist()) == ["1", "a", "c"]
    assert [(b["source"], b["line"], b["error_kind"]) for b in bad] == [
        ("books", 2, "too_large"), ("notes", 1, "too_large"), ("web", 2, "too_large")]
    assert all("max_document_bytes" in b["error"] and b["raw_truncated"] for b in bad)
    assert all(len(b["raw"]) == MAX_RAW_BYTES for b in bad)
    assert part.stats.quarantined["too_large"] == 3


def test_the_limit_is_set_per_source_in_sources_yaml(tmp_path):
    spec = tmp_path / "sources.yaml"
    spec.write_text("sources:\n  tiny:\n    max_document_bytes: 1KiB\n")
    sources = load_sources(spec)
    assert int(sources["tiny"].max_document_bytes) == 1024
    landing = tmp_path / "landing"
    for source in ("tiny", "web"):
        _land(landing, source, "a.jsonl", _line({"id": "1", "text": "y" * 2000}))
    part = LandingPartition(landing, DAY, sources)
    assert part.reader().read_all().column("source").to_pylist() == ["web"]
    assert [b["source"] for b in part.quarantined().to_pylist()] == ["tiny"]
    spec.write_text("sources:\n  tiny:\n    max_document_bytes: -3\n")
    with pytest.raises(SourcesError, match="max_document_bytes"):
        load_sources(spec)


def test_reading_a_huge_line_holds_only_the_limit(tmp_path):
    path = tmp_path / "a.jsonl"
    with open(path, "wb") as fh:
        fh.write(b'{"text": "')
        for _ in range(40):
            fh.write(b"z" * (1 << 20))
        fh.write(b'"}\nnext line\n')
    tracemalloc.start()
    items = [(line, len(payload), problem and problem.kind) for line, payload, problem in
             read_file(path, max_bytes=1 << 20)]
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert items == [(1, 1 << 16, "too_large"), (2, 9, None)]
    assert peak < 4 << 20  # the 40 MB line is never held whole


def test_every_domain_has_a_token_cap_and_a_long_transcript_is_dropped():
    config = load_clean_config(settings.spec_dir() / FILTERS_FILE)
    assert config.max_tokens.cap("dialog") == 32768
    assert all(config.max_tokens.cap(d) > 0 for d in ("prose", "code", "math", "dialog", "other"))
    long_dialog = "\n".join([DIALOG] * 2000)  # ~100k tokens
    batch = pa.RecordBatch.from_pydict({
        "doc_id": ["long", "short"], "source": ["s"] * 2, "source_id": ["1", "2"],
        "text": [long_dialog, DIALOG],
        "url": [None] * 2, "meta": [None] * 2, "domain": ["dialog"] * 2, "file": ["f"] * 2, "line": [1, 2],
        "day": [DAY] * 2})
    out = clean_batch(batch, config)
    assert out.kept.column("doc_id").to_pylist() == ["short"]
    [row] = out.rejected.to_pylist()
    assert (row["stage"], row["filter"], row["reason"]) == ("length", "max_tokens", "too_many_tokens")
    assert row["score"] > 32768 and out.counts["max_tokens:too_many_tokens"] == 1


def test_token_caps_are_validated_and_change_the_fingerprint():
    base = CleanConfig.model_validate({})
    capped = CleanConfig.model_validate({"max_tokens": {"default": 1000, "prose": 500}})
    assert capped.max_tokens.cap("prose") == 500 and capped.max_tokens.cap("code") == 1000
    assert base.fingerprint() != capped.fingerprint()
    with pytest.raises(ValueError):
        CleanConfig.model_validate({"max_tokens": {"default": 0}})
