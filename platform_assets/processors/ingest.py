"""Raw ingestion: one landed record becomes one raw_documents row, or one quarantined_records row.

The columns of both tables are a contract (later stages read them by name); see RAW_SCHEMA and
QUARANTINE_SCHEMA. `doc_id` hashes the source, the source id *with its type* (an integer 1 and a
string "1" differ; a record without an id is named by its file and line) and the text: re-landing the
same record gives the same id, and a source that reuses an id for other content gets a new one.
"""

from __future__ import annotations

import json
import re

import orjson
import pyarrow as pa
import xxhash

from platform_assets.processors.ingest_files import Problem
from platform_assets.processors.sources import FieldMap

MAX_RAW_BYTES = 4096  # bounded copy of a quarantined record
_ESCAPED = re.compile("[\udc80-\udcff]")  # bytes that surrogateescape kept from invalid UTF-8

RAW_SCHEMA = pa.schema([
    pa.field("doc_id", pa.string(), nullable=False),
    pa.field("source", pa.string(), nullable=False),
    pa.field("source_id", pa.string(), nullable=False),
    pa.field("text", pa.string(), nullable=False),
    pa.field("url", pa.string()),
    pa.field("meta", pa.string()),  # JSON text of the record's meta value
    pa.field("domain", pa.string()),  # from sources.yaml; None = decided downstream
    pa.field("file", pa.string(), nullable=False),  # relative to the landing folder
    pa.field("line", pa.int64(), nullable=False),  # 1-based line (JSONL) or row (Parquet)
    pa.field("day", pa.string(), nullable=False),
])

RAW_COLUMNS = {  # what each raw_documents column holds (the UI's column descriptions)
    "doc_id": "xxh3-128 of source, the source id's kind and value, and the text's own hash",
    "source": "the landing folder the record came from (<landing>/<source>/<day>/)",
    "source_id": "the record's own id as a string, or <file>:<line> when it has none",
    "text": "the document text, as mapped by sources.yaml's `fields.text`",
    "url": "the record's URL, if its source maps one",
    "meta": "JSON text of the record's meta value",
    "domain": "the domain sources.yaml gives the source; null = decided downstream",
    "file": "the landed file, relative to the landing folder",
    "line": "1-based line (JSONL) or row (Parquet) in the file",
    "day": "the landing day (YYYY-MM-DD), the partition",
}

QUARANTINE_SCHEMA = pa.schema([
    pa.field("day", pa.string(), nullable=False),
    pa.field("source", pa.string(), nullable=False),
    pa.field("file", pa.string(), nullable=False),
    pa.field("line", pa.int64()),  # None when the whole file is unreadable
    pa.field("field", pa.string()),
    pa.field("error_kind", pa.string(), nullable=False),
    pa.field("error", pa.string(), nullable=False),
    pa.field("raw", pa.binary()),
    pa.field("raw_truncated", pa.bool_(), nullable=False),
])
QUARANTINE_COLUMNS = {
    "day": "the landing day (YYYY-MM-DD), the partition",
    "source": "the landing folder the record came from",
    "file": "the landed file, relative to the landing folder",
    "line": "1-based line or row of the record; null when the whole file was unreadable",
    "field": "the field at fault, when one is (e.g. text)",
    "error_kind": "why it was quarantined: a short code (bad_json, missing_text, too_large, ...)",
    "error": "where and why, in words: `<file> line <n> (field 'x'): message`",
    "raw": f"the record's raw bytes (at most {MAX_RAW_BYTES} bytes; a Parquet row as JSON)",
    "raw_truncated": "whether `raw` was cut at the limit",
}

Record = tuple[str | int | None, str, str | None, str | None]  # own id, text, url, meta JSON
ID_KINDS = ("str", "int", "pos")  # a string id, an integer id, a position (`<file>:<line>`, no own id)


def doc_id(source: str, id_kind: str, source_id: str, text: str) -> str:
    """Document id: xxh3-128 hex of source, the id's kind and value, and the text's own xxh3-128.

    The kind keeps an integer 1 apart from a string "1"; the text makes a reused id with new content a
    new document, while a re-delivered identical record keeps its id (the clean stage drops it as
    `redelivered`).
    """
    if id_kind not in ID_KINDS:
        raise ValueError(f"id kind {id_kind!r}: expected one of {ID_KINDS}")
    content = xxhash.xxh3_128_hexdigest(text.encode("utf-8", "surrogatepass"))
    return xxhash.xxh3_128_hexdigest(f"{source}\x00{id_kind}\x00{source_id}\x00{content}".encode())


def id_kind(own_id: str | int | None) -> str:
    """The kind of a record's own id as `doc_id` takes it."""
    return "pos" if own_id is None else "int" if isinstance(own_id, int) else "str"


def parse_json_line(raw: bytes) -> object | Problem:
    """The JSON value of one line, or why it is unreadable (invalid_utf8 before bad_json)."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as bad:
            message = f"invalid UTF-8 at byte {bad.start}: {bad.reason}"
            return Problem("invalid_utf8", message, _utf8_field(raw))
        return Problem("bad_json", f"not valid JSON: {exc}")


def _utf8_field(raw: bytes) -> str | None:
    """The top-level key whose value holds the invalid bytes, when the line is otherwise valid JSON."""
    try:
        value = json.loads(raw.decode("utf-8", "surrogateescape"))
    except ValueError:
        return None
    if not isinstance(value, dict):
        return None
    return next((k for k, v in value.items() if _ESCAPED.search(json.dumps(v, ensure_ascii=False))), None)


def to_record(value: object, fields: FieldMap) -> Record | Problem:
    """Validate one parsed record against the source's field names."""
    if not isinstance(value, dict):
        return Problem("not_an_object", f"expected a JSON object, got {_json_type(value)}")
    text = value.get(fields.text)
    if text is None:
        return Problem("missing_text", f"field '{fields.text}' is missing or null", fields.text)
    if not isinstance(text, str):
        return Problem("bad_field_type", f"field '{fields.text}' must be a string, got {_json_type(text)}",
                       fields.text)
    if not text.strip():
        return Problem("empty_text", f"field '{fields.text}' is empty", fields.text)
    own_id = value.get(fields.id)
    if own_id is not None and (isinstance(own_id, bool) or not isinstance(own_id, str | int)):
        return Problem("bad_field_type", f"field '{fields.id}' must be a string or an integer, got "
                       f"{_json_type(own_id)}", fields.id)
    url = value.get(fields.url)
    if url is not None and not isinstance(url, str):
        return Problem("bad_field_type", f"field '{fields.url}' must be a string, got {_json_type(url)}",
                       fields.url)
    meta = value.get(fields.meta)
    meta_json = None if meta is None else orjson.dumps(meta, default=str).decode()
    return own_id, text, url, meta_json


def bounded(raw: bytes | dict) -> tuple[bytes, bool]:
    """At most MAX_RAW_BYTES of a record's raw form (a Parquet row is stored as JSON)."""
    data = raw if isinstance(raw, bytes) else orjson.dumps(raw, default=str)
    return data[:MAX_RAW_BYTES], len(data) > MAX_RAW_BYTES


def _json_type(value: object) -> str:
    for kind, name in ((bool, "a boolean"), (dict, "an object"), (list, "an array"), (str, "a string"),
                       (int | float, "a number")):
        if isinstance(value, kind):
            return name
    return "null" if value is None else type(value).__name__
