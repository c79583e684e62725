"""The media clean stage over one day of raw_media: pass 1 decides from the derived columns (decide.py),
pass 2 streams the kept rows' bytes from Lance into clean_media, a few files per batch.

`MediaStage(raw, day, config).run(prior)` reads the day's rows without bytes; then `clean_reader()` streams
CLEAN_MEDIA_SCHEMA batches (bytes read with `blob_handling="all_binary"`, so memory holds one batch of files)
and `rejected` is the table of dropped rows. No dagster import.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pyarrow as pa
import pyarrow.compute as pc

from platform_assets.partitions import DAY_COLUMN
from platform_assets.processors.media.config import MediaConfig
from platform_assets.processors.media.decide import Decisions, decide
from platform_assets.processors.media.schemas import BLOB_COLUMN, CLEAN_MEDIA_SCHEMA, DECISION_COLUMNS
from resources import lance_scans

BYTES_BATCH_ROWS = 64  # files per batch in pass 2


class MediaStage:
    def __init__(self, raw, day: str, config: MediaConfig):
        self.raw, self.day, self.config = raw, day, config
        self.selection = lance_scans.select_partitions(raw, [DAY_COLUMN], [(day,)])
        self.decisions: Decisions | None = None
        self.raw_rows = 0

    def run(self, prior: pa.Table | None = None) -> Decisions:
        scan = lance_scans.scanner(self.raw, self.selection, DECISION_COLUMNS)
        empty = lance_scans.empty_reader(self.raw, DECISION_COLUMNS)
        rows = scan.to_table() if scan is not None else empty.read_all()
        self.raw_rows = rows.num_rows
        self.decisions = decide(rows, self.config, prior)
        return self.decisions

    @property
    def rejected(self) -> pa.Table:
        return self.decisions.rejected

    def clean_reader(self) -> pa.RecordBatchReader:
        return pa.RecordBatchReader.from_batches(CLEAN_MEDIA_SCHEMA, self._clean_batches())

    def _clean_batches(self) -> Iterator[pa.RecordBatch]:
        kept = self.decisions.kept
        if kept.num_rows == 0:
            return
        scan = lance_scans.scanner(self.raw, self.selection, ["doc_id", BLOB_COLUMN],
                                   batch_size=BYTES_BATCH_ROWS, streaming=True, blobs_as_bytes=True)
        ids = kept.column("doc_id").combine_chunks()
        for batch in scan.to_reader():
            where = pc.index_in(batch.column("doc_id"), value_set=ids)
            mask = where.is_valid()
            if not pc.any(mask).as_py():
                continue
            rows = kept.take(where.filter(mask))
            data = batch.column(BLOB_COLUMN).filter(mask)
            cols = [rows.column(f.name) if f.name != BLOB_COLUMN else data for f in CLEAN_MEDIA_SCHEMA]
            yield pa.RecordBatch.from_arrays([pa.concat_arrays(c.chunks) if isinstance(c, pa.ChunkedArray)
                                              else c for c in cols], schema=CLEAN_MEDIA_SCHEMA)

    def summary(self) -> dict:
        """Counts for the materialization: raw, kept, dropped per reason (`dropped/<stage>/<reason>`)."""
        d = self.decisions
        reasons = Counter(zip(d.rejected.column("stage").to_pylist(), d.rejected.column("reason").to_pylist(),
                              strict=True))
        out = {"raw_rows": self.raw_rows, "clean_rows": d.kept.num_rows, "rejected_rows": d.rejected.num_rows}
        out.update({f"dropped/{stage}/{reason}": n for (stage, reason), n in sorted(reasons.items())})
        for modality, n in Counter(d.kept.column("modality").to_pylist()).items():
            out[f"clean_rows/{modality}"] = n
        return out
