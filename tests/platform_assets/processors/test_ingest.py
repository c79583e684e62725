"""Raw ingestion readers: formats, quarantine kinds, truncated streams, sources.yaml, doc ids."""

from __future__ import annotations

import gzip
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard

from platform_assets import settings
from platform_assets.processors.ingest import MAX_RAW_BYTES, QUARANTINE_SCHEMA, RAW_SCHEMA, doc_id
from platform_assets.processors.ingest_partition import LandingPartition
from platform_assets.processors.sources import SOURCES_FILE, SourcesError, load_sources

DAY = "2026-11-02"
RECORDS = [{"id": f"r{i}", "text": f"Document number {i}.", "url": f"https://e.example/{i}", "meta": {"n": i}}
           for i in range(5)]


def _jsonl(records) -> bytes:
    return b"".join((r if isinstance(r, bytes) else json.dumps(r).encode()) + b"\n" for r in records)


def _land(landing, source: str, name: str, data: bytes):
    path = landing / source / DAY / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _ingest(landing, sources=None, batch_rows=8192) -> tuple[pa.Table, pa.Table, LandingPartition]:
    part = LandingPartition(landing, DAY, sources or {}, batch_rows)
    raw = part.reader().read_all()
    return raw, part.quarantined(), part


@pytest.mark.parametrize("name, encode", [
    ("a.jsonl", lambda b: b),
    ("a.jsonl.gz", lambda b: gzip.compress(b, mtime=0)),
    ("a.jsonl.zst", lambda b: zstandard.ZstdCompressor().compress(b)),
])
def test_jsonl_formats_read_every_record_with_file_and_line(tmp_path, name, encode):
    _land(tmp_path, "web", name, encode(_jsonl(RECORDS)))
    raw, bad, _ = _ingest(tmp_path)
    assert raw.schema == RAW_SCHEMA
    assert bad.num_rows == 0
    assert raw.column("source_id").to_pylist() == [f"r{i}" for i in range(5)]
    assert raw.column("line").to_pylist() == [1, 2, 3, 4, 5]
    assert set(raw.column("file").to_pylist()) == {f"web/{DAY}/{name}"}
    row = raw.slice(3, 1).to_pylist()[0]
    assert row["url"] == "https://e.example/3" and json.loads(row["meta"]) == {"n": 3}
    assert row["doc_id"] == doc_id("web", "str", "r3", row["text"])
    assert row["day"] == DAY and row["domain"] is None


def test_parquet_rows_and_txt_documents(tmp_path):
    pq.write_table(pa.table({"id": [7, 8], "text": ["seven", "eight"], "meta": [{"k": 1}, None]}),
                   _land(tmp_path, "books", "p.parquet", b""))
    _land(tmp_path, "notes", "n.txt", b"a whole file is one document")
    raw, bad, _ = _ingest(tmp_path)
    rows = raw.to_pylist()
    assert bad.num_rows == 0
    assert [(r["source"], r["source_id"], r["line"], r["meta"]) for r in rows] == [
        ("books", "7", 1, '{"k":1}'), ("books", "8", 2, None), ("notes", f"notes/{DAY}/n.txt:1", 1, None)]


def test_missing_id_falls_back_to_file_and_line(tmp_path):
    _land(tmp_path, "crawl", "c.jsonl", _jsonl([{"text": "no id here"}]))
    raw, _, _ = _ingest(tmp_path)
    assert raw.column("source_id").to_pylist() == [f"crawl/{DAY}/c.jsonl:1"]


BROKEN = [
    (b'{"id": 1, "text": "cut', "bad_json", None),
    (b'{"id": 2, "text": "caf\xe9 \xff"}', "invalid_utf8", "text"),
    (b'["not", "an", "object"]', "not_an_object", None),
    (b'{"id": 4, "url": "https://e.example"}', "missing_text", "text"),
    (b'{"id": 5, "text": 42}', "bad_field_type", "text"),
    (b'{"id": 6, "text": "   "}', "empty_text", "text"),
    (b'{"id": [6], "text": "list id"}', "bad_field_type", "id"),
    (b'{"id": 8, "text": "ok", "url": 3}', "bad_field_type", "url"),
]


@pytest.mark.parametrize("line, kind, field", BROKEN)
def test_each_broken_record_is_quarantined_with_file_line_and_field(tmp_path, line, kind, field):
    _land(tmp_path, "web", "a.jsonl", _jsonl([RECORDS[0], line, RECORDS[1]]))
    raw, bad, part = _ingest(tmp_path)
    assert raw.column("source_id").to_pylist() == ["r0", "r1"]  # the records around it are kept
    assert bad.schema == QUARANTINE_SCHEMA
    [entry] = bad.to_pylist()
    assert (entry["error_kind"], entry["field"], entry["line"]) == (kind, field, 2)
    assert entry["file"] == f"web/{DAY}/a.jsonl" and entry["raw"] == line and not entry["raw_truncated"]
    assert entry["error"].startswith(f"web/{DAY}/a.jsonl line 2")
    if field:
        assert f"'{field}'" in entry["error"]
    assert part.stats.quarantined == {kind: 1} and part.stats.records == 2


def test_mapped_field_names_are_named_in_errors(tmp_path):
    spec = tmp_path / "sources.yaml"
    spec.write_text("sources:\n  chats:\n    domain: dialog\n    fields: {id: cid, text: body}\n")
    _land(tmp_path / "landing", "chats", "c.jsonl", _jsonl([{"cid": "c1", "body": "hello"}, {"cid": "c2"}]))
    raw, bad, _ = _ingest(tmp_path / "landing", load_sources(spec))
    assert raw.select(["source_id", "text", "domain"]).to_pylist() == [
        {"source_id": "c1", "text": "hello", "domain": "dialog"}]
    assert bad.column("field").to_pylist() == ["body"] and "'body'" in bad.column("error")[0].as_py()


@pytest.mark.parametrize("suffix, compress", [
    (".jsonl.gz", lambda b: gzip.compress(b, mtime=0)),
    (".jsonl.zst", lambda b: zstandard.ZstdCompressor().compress(b)),
])
def test_truncated_stream_keeps_every_record_before_the_break(tmp_path, suffix, compress):
    # 2,000 varied records span several zstd blocks (128 KiB each): a cut block yields nothing
    records = [{"id": str(i), "text": " ".join(str(i * j) for j in range(40))} for i in range(2000)]
    data = compress(_jsonl(records))
    _land(tmp_path, "web", "t" + suffix, data[: len(data) // 2])
    raw, bad, _ = _ingest(tmp_path)
    kept = raw.num_rows
    assert 0 < kept < 2000
    assert raw.column("source_id").to_pylist() == [str(i) for i in range(kept)]
    [entry] = bad.to_pylist()
    assert entry["error_kind"] == "truncated_file" and entry["line"] == kept + 1
    assert f"after line {kept}" in entry["error"]
    assert json.dumps(records[kept]).encode().startswith(entry["raw"])  # the partial line is kept


def test_corrupt_gzip_and_unreadable_parquet_and_unknown_format(tmp_path):
    good = gzip.compress(_jsonl(RECORDS), mtime=0)
    _land(tmp_path, "web", "a.jsonl.gz", good[:10] + b"\x00" * 40 + good[50:])
    _land(tmp_path, "web", "b.parquet", b"PAR1 this is not parquet")
    _land(tmp_path, "web", "c.csv", b"id,text\n1,x\n")
    _, bad, _ = _ingest(tmp_path)
    kinds = {(r["file"].rsplit("/", 1)[1], r["error_kind"], r["line"]) for r in bad.to_pylist()}
    assert ("b.parquet", "unreadable_file", None) in kinds and ("c.csv", "unsupported_format", None) in kinds
    assert any(name == "a.jsonl.gz" and kind == "corrupt_file" for name, kind, _ in kinds)


def test_parquet_null_text_row(tmp_path):
    table = pa.table({"id": ["a", "b"], "text": ["fine", None]})
    pq.write_table(table, _land(tmp_path, "code", "p.parquet", b""))
    raw, bad, _ = _ingest(tmp_path)
    assert raw.num_rows == 1
    [entry] = bad.to_pylist()
    assert (entry["error_kind"], entry["line"], entry["field"]) == ("missing_text", 2, "text")
    assert entry["error"].startswith(f"code/{DAY}/p.parquet row 2") and json.loads(entry["raw"])["id"] == "b"


def test_raw_copy_is_bounded(tmp_path):
    line = b'{"text": "' + b"x" * 10_000
    _land(tmp_path, "web", "a.jsonl", line + b"\n")
    _, bad, _ = _ingest(tmp_path)
    [entry] = bad.to_pylist()
    assert len(entry["raw"]) == MAX_RAW_BYTES and entry["raw_truncated"] is True


def test_empty_partition_is_an_empty_result(tmp_path):
    raw, bad, part = _ingest(tmp_path / "no-such-landing")
    assert (raw.num_rows, bad.num_rows, part.stats.files_read) == (0, 0, 0)
    assert raw.schema == RAW_SCHEMA and bad.schema == QUARANTINE_SCHEMA


def test_marker_files_and_underscore_folders_are_not_data(tmp_path):
    _land(tmp_path, "web", "a.jsonl", _jsonl(RECORDS[:1]))
    _land(tmp_path, "web", "_SUCCESS", b"")
    _land(tmp_path, "web", ".DS_Store", b"\x00")
    _land(tmp_path, "_truth", "x.jsonl", _jsonl(RECORDS))
    raw, bad, part = _ingest(tmp_path)
    assert (raw.num_rows, bad.num_rows, part.stats.files_read) == (1, 0, 1)


def test_stream_is_batched_and_quarantine_waits_for_it(tmp_path):
    _land(tmp_path, "web", "a.jsonl", _jsonl([{"text": f"t{i}"} for i in range(10)]))
    part = LandingPartition(tmp_path, DAY, {}, batch_rows=3)
    reader = part.reader()
    with pytest.raises(RuntimeError, match="read to the end"):
        part.quarantined()
    assert [b.num_rows for b in reader] == [3, 3, 3, 1]
    assert part.quarantined().num_rows == 0


def test_doc_id_is_stable_and_depends_on_source():
    same = doc_id("web", "str", "r1", "t")
    assert same == doc_id("web", "str", "r1", "t") == "178bcca5356e2dbd63a021f31760719d"
    assert doc_id("crawl", "str", "r1", "t") != doc_id("web", "str", "r1", "t")
    assert len(doc_id("x", "pos", "y", "")) == 32


def test_an_id_reused_for_other_content_gives_another_doc_id_and_types_count(tmp_path):
    _land(tmp_path, "web", "a.jsonl", _jsonl([{"id": "same", "text": "one"}, {"id": "same", "text": "two"},
                                              {"id": "same", "text": "one"}, {"id": 1, "text": "x"},
                                              {"id": "1", "text": "x"}]))
    raw, _, _ = _ingest(tmp_path)
    ids = raw.column("doc_id").to_pylist()
    assert ids[0] == ids[2] and len({ids[0], ids[1], ids[3], ids[4]}) == 4
    assert raw.column("source_id").to_pylist() == ["same"] * 3 + ["1", "1"]


@pytest.mark.parametrize("text, key", [
    ("sources:\n  web:\n    domain: poetry\n", "sources.web.domain"),
    ("sources:\n  web:\n    fields: {body: text}\n", "sources.web.fields.body"),
    ("source:\n  web: {}\n", "source"),
])
def test_bad_sources_yaml_names_file_and_key(tmp_path, text, key):
    spec = tmp_path / "sources.yaml"
    spec.write_text(text)
    with pytest.raises(SourcesError) as err:
        load_sources(spec)
    assert str(err.value).startswith(f"{spec}:") and f": {key}: " in str(err.value)
    assert err.value.line == text.count("\n", 0, text.index(key.split(".")[-1])) + 1  # the key's own line


def test_invalid_yaml_names_the_file_and_missing_file_means_defaults(tmp_path):
    spec = tmp_path / "sources.yaml"
    spec.write_text("sources: [unclosed\n")
    with pytest.raises(SourcesError, match=r"sources.yaml:\d+: \(yaml\): not valid YAML"):
        load_sources(spec)
    assert load_sources(tmp_path / "absent.yaml") == {}


def test_repo_sources_yaml_is_valid():
    sources = load_sources(settings.spec_dir() / SOURCES_FILE)
    assert sources["dialog"].fields.text == "transcript" and sources["web"].domain == "prose"
