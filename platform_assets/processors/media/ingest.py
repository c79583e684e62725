"""One day of the media sources (`modality: image|audio` in sources.yaml) as a stream of raw_media batches.

Usage: `part = MediaPartition(landing, day, sources, max_bytes)`; drain `part.reader()`; then
`part.quarantined()` holds every file that did not decode, was cut, or exceeded the size limit (with the
decoder's error and the first 4 KiB of its bytes), and `part.stats` the counts. `doc_id` is the text
stage's hash of (source, id kind, source id, content): the record's own id, else its landing path, and
the file's sha256.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

import pyarrow as pa

from platform_assets.processors.ingest import QUARANTINE_SCHEMA, bounded, doc_id, id_kind
from platform_assets.processors.ingest_files import Problem
from platform_assets.processors.ingest_partition import IngestStats, landed_files
from platform_assets.processors.media.decode import decode
from platform_assets.processors.media.landing import Landed, landed_file, read_day
from platform_assets.processors.media.schemas import RAW_MEDIA_SCHEMA
from platform_assets.processors.sources import SourceConfig, source_config

MAX_BATCH_BYTES = 64 << 20  # flush a batch early once its files hold this many bytes
DEFAULT_MAX_BYTES = 32 << 20


class MediaPartition:
    """The raw_media stream and the quarantined media of one day."""

    def __init__(self, landing: Path, day: str, sources: Mapping[str, SourceConfig],
                 max_bytes: int = DEFAULT_MAX_BYTES, batch_rows: int = 256):
        self.landing, self.day, self.sources = Path(landing), day, sources
        self.max_bytes, self.batch_rows = max_bytes, batch_rows
        self.files = [(s, f) for s, f in landed_files(self.landing, day)
                      if source_config(sources, s).is_media]
        self.folders = [(s, self.landing / s / day) for s in sorted({s for s, _ in self.files})]
        self.stats = IngestStats()
        self.finished = False
        self._bad: list[dict] = []

    def reader(self) -> pa.RecordBatchReader:
        return pa.RecordBatchReader.from_batches(RAW_MEDIA_SCHEMA, self._batches())

    def quarantined(self) -> pa.Table:
        """Complete only once the reader is exhausted; raises if it was not."""
        if not self.finished:
            raise RuntimeError(f"day {self.day}: quarantined media are known only after the raw_media "
                               "stream has been read to the end")
        return pa.Table.from_pylist(self._bad, schema=QUARANTINE_SCHEMA)

    def _batches(self) -> Iterator[pa.RecordBatch]:
        rows, size = [], 0
        for source, folder in self.folders:
            self.stats.files_read += 1
            for row in self._rows(source, folder):
                rows.append(row)
                size += row["byte_size"]
                if len(rows) >= self.batch_rows or size >= MAX_BATCH_BYTES:
                    yield pa.RecordBatch.from_pylist(rows, schema=RAW_MEDIA_SCHEMA)
                    rows, size = [], 0
        if rows:
            yield pa.RecordBatch.from_pylist(rows, schema=RAW_MEDIA_SCHEMA)
        self.finished = True

    def _rows(self, source: str, folder: Path) -> Iterator[dict]:
        config = source_config(self.sources, source)
        for item in read_day(folder, f"{source}/{self.day}", config):
            if not isinstance(item, Landed):
                self._quarantine(source, *item)
                continue
            text, problem = _text(item.record, config)
            features = problem or decode(item.data, config.modality, self.max_bytes)
            if isinstance(features, Problem):
                self._quarantine(source, item.file, None, item.data, features)
                continue
            own = item.record.get(config.fields.id)
            own = own if isinstance(own, str | int) and not isinstance(own, bool) else None
            sid = str(own) if own is not None else item.file
            self.stats.records += 1
            self.stats.records_by_source[source] += 1
            self.stats.records_by_file[landed_file(item.file)] += 1
            url = item.record.get(config.fields.url)
            yield {"doc_id": media_doc_id(source, own, sid, features.sha256), "source": source,
                   "source_id": sid,
                   "modality": config.modality, "caption": text, "url": url if isinstance(url, str) else None,
                   "file": item.file, "landing_format": item.landing_format, **_fields(features),
                   "day": self.day, "media": item.data}

    def _quarantine(self, source: str, file: str, line: int | None, data: bytes, problem: Problem) -> None:
        raw, cut = bounded(data)
        where = file if line is None else f"{file} line {line}"
        note = f" (field '{problem.field}')" if problem.field else ""
        self._bad.append({"day": self.day, "source": source, "file": file, "line": line,
                          "field": problem.field, "error_kind": problem.kind,
                          "error": f"{where}{note}: {problem.message}", "raw": raw, "raw_truncated": cut})
        self.stats.quarantined[problem.kind] += 1


def media_doc_id(source: str, own_id: str | int | None, source_id: str, sha256: str) -> str:
    """The text stage's document id, with the file's sha256 as its content: a reused id with new bytes is
    a new item, a re-delivered identical file keeps its id."""
    return doc_id(source, id_kind(own_id), source_id, sha256)


def _fields(features) -> dict:
    return {name: getattr(features, name) for name in features.__slots__}


def _text(record: dict, config: SourceConfig) -> tuple[str | None, Problem | None]:
    """The caption or transcript (None when the sidecar gives none; the clean stage judges that)."""
    field = config.text_field()
    value = record.get(field)
    if value is not None and not isinstance(value, str):
        return None, Problem("bad_field_type", f"field '{field}' must be a string", field)
    return value, None
