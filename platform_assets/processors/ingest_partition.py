"""One day of the landing zone (`<landing>/<source>/<day>/*`) read as a stream of raw_documents batches.

Usage: `part = LandingPartition(landing, day, sources)`; consume `part.reader()` (record batches of at
most `batch_rows` rows, files read one at a time); then `part.quarantined()` holds what could not be
read and `part.stats` the counts. Folders whose name starts with "_" or "." (e.g. `_truth/`) and such
files (`_SUCCESS`, `.DS_Store`) are not data and are skipped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from platform_assets.processors.ingest import (
    QUARANTINE_SCHEMA,
    RAW_SCHEMA,
    Record,
    bounded,
    doc_id,
    id_kind,
    parse_json_line,
    to_record,
)
from platform_assets.processors.ingest_files import Problem, read_file, too_large
from platform_assets.processors.sources import FieldMap, SourceConfig, source_config

MAX_BATCH_TEXT_BYTES = 64 << 20  # flush early when documents are large, so memory stays bounded


@dataclass
class IngestStats:
    files_read: int = 0
    records: int = 0
    quarantined: Counter = field(default_factory=Counter)  # by error_kind
    records_by_source: Counter = field(default_factory=Counter)
    records_by_file: Counter = field(default_factory=Counter)  # by path relative to the landing folder


def _visible(name: str) -> bool:
    return not name.startswith(("_", "."))


def landed_files(landing: Path, day: str) -> list[tuple[str, Path]]:
    """(source, file) for every data file of `day`, sorted, so reads are deterministic."""
    if not landing.is_dir():
        return []
    out = []
    for source_dir in sorted(p for p in landing.iterdir() if p.is_dir() and _visible(p.name)):
        day_dir = source_dir / day
        if day_dir.is_dir():
            out += [(source_dir.name, f) for f in sorted(day_dir.rglob("*"))
                    if f.is_file() and all(_visible(p) for p in f.relative_to(day_dir).parts)]
    return out


class LandingPartition:
    """The raw_documents stream and the quarantined records of one day."""

    def __init__(self, landing: Path, day: str, sources: Mapping[str, SourceConfig], batch_rows: int = 8192):
        self.landing, self.day, self.sources, self.batch_rows = Path(landing), day, sources, batch_rows
        self.files = [(s, f) for s, f in landed_files(self.landing, day)
                      if not source_config(sources, s).is_media]  # media sources are raw_media's
        self.stats = IngestStats()
        self.finished = False
        self._bad: list[dict] = []

    def reader(self) -> pa.RecordBatchReader:
        return pa.RecordBatchReader.from_batches(RAW_SCHEMA, self._batches())

    def quarantined(self) -> pa.Table:
        """Only complete once the reader is exhausted; raises if it was not."""
        if not self.finished:
            raise RuntimeError(f"day {self.day}: quarantined records are known only after the raw stream "
                               "has been read to the end")
        return pa.Table.from_pylist(self._bad, schema=QUARANTINE_SCHEMA)

    def _batches(self) -> Iterator[pa.RecordBatch]:
        cols: dict[str, list] = {name: [] for name in RAW_SCHEMA.names}
        text_bytes = 0
        for source, path in self.files:
            for row in self._rows(source, path):
                for name, value in zip(RAW_SCHEMA.names, row, strict=True):
                    cols[name].append(value)
                text_bytes += len(row[3])
                if len(cols["doc_id"]) >= self.batch_rows or text_bytes >= MAX_BATCH_TEXT_BYTES:
                    yield pa.RecordBatch.from_pydict(cols, schema=RAW_SCHEMA)
                    cols, text_bytes = {name: [] for name in RAW_SCHEMA.names}, 0
        if cols["doc_id"]:
            yield pa.RecordBatch.from_pydict(cols, schema=RAW_SCHEMA)
        self.finished = True

    def _rows(self, source: str, path: Path) -> Iterator[tuple]:
        config = source_config(self.sources, source)
        rel = path.relative_to(self.landing).as_posix()
        is_txt = path.name.lower().endswith(".txt")
        self.stats.files_read += 1
        limit = int(config.max_document_bytes)
        for line, payload, problem in read_file(path, max_bytes=limit):
            if problem is None and not is_txt and isinstance(payload, bytes) and not payload.strip():
                continue  # a blank line holds no record
            result = problem or _parse(payload, is_txt, config.fields)
            if isinstance(payload, dict) and not isinstance(result, Problem):
                result = _within(result, limit)  # a Parquet row: its text is the document
            if isinstance(result, Problem):
                self._quarantine(source, rel, line, payload, result)
                continue
            own_id, text, url, meta = result
            sid = str(own_id) if own_id is not None else f"{rel}:{line}"
            self.stats.records += 1
            self.stats.records_by_source[source] += 1
            self.stats.records_by_file[rel] += 1
            yield (doc_id(source, id_kind(own_id), sid, text), source, sid, text, url, meta, config.domain,
                   rel, line, self.day)

    def _quarantine(self, source: str, rel: str, line: int | None, payload: bytes | dict, problem: Problem):
        raw, truncated = bounded(payload)
        where = rel if line is None else f"{rel} {'row' if rel.endswith('.parquet') else 'line'} {line}"
        field_note = f" (field '{problem.field}')" if problem.field else ""
        self._bad.append({
            "day": self.day, "source": source, "file": rel, "line": line, "field": problem.field,
            "error_kind": problem.kind, "error": f"{where}{field_note}: {problem.message}",
            "raw": raw, "raw_truncated": truncated,
        })
        self.stats.quarantined[problem.kind] += 1


def _within(record: Record, limit: int) -> Record | Problem:
    size = len(record[1].encode("utf-8", "surrogatepass"))
    return too_large(size, limit) if size > limit else record


def _parse(payload: bytes | dict, is_txt: bool, fields: FieldMap) -> Record | Problem:
    if isinstance(payload, dict):
        value: object = payload
    elif is_txt:
        value = _text_file(payload, fields.text)
    else:
        value = parse_json_line(payload)
    return value if isinstance(value, Problem) else to_record(value, fields)


def _text_file(payload: bytes, text_field: str) -> dict | Problem:
    """A txt file is one document; its id defaults to `<file>:1`."""
    try:
        return {text_field: payload.decode("utf-8")}
    except UnicodeDecodeError as bad:
        return Problem("invalid_utf8", f"invalid UTF-8 at byte {bad.start}: {bad.reason}", text_field)
