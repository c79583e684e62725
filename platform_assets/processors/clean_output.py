"""The clean stage's two outputs: schemas, where each dropped row went, and the Arrow batches."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

# fmt: off
KEPT_SCHEMA = pa.schema([
    ("doc_id", pa.string()), ("source", pa.string()), ("source_id", pa.string()), ("day", pa.string()),
    ("url", pa.string()), ("text", pa.string()), ("domain", pa.string()), ("language", pa.string()),
    ("language_score", pa.float32()), ("token_count", pa.int32()),
    ("pii_emails", pa.int32()), ("pii_phones", pa.int32()), ("pii_ips", pa.int32()),
])
REJECTED_SCHEMA = pa.schema([
    ("doc_id", pa.string()), ("source", pa.string()), ("source_id", pa.string()), ("day", pa.string()),
    ("stage", pa.string()), ("filter", pa.string()), ("reason", pa.string()), ("score", pa.float64()),
    ("language", pa.string()), ("text", pa.string()),
])
# fmt: on
_PASSTHROUGH = ["doc_id", "source", "source_id", "day"]


class Drops:
    """Where each row was dropped: stage, filter, reason, score, and its text at that moment."""

    def __init__(self, n: int):
        self.stage = np.full(n, None, dtype=object)
        self.filter = np.full(n, None, dtype=object)
        self.reason = np.full(n, None, dtype=object)
        self.score = np.full(n, np.nan)
        self._texts: list[tuple[np.ndarray, pa.Array]] = []

    def add(self, rows: np.ndarray, stage: str, name: str, reasons, scores, texts: pa.Array) -> None:
        if len(rows):
            self.stage[rows], self.filter[rows], self.reason[rows] = stage, name, reasons
            self.score[rows] = scores
            self._texts.append((rows, texts.cast(pa.large_string())))

    def texts(self) -> pa.Array:
        """The dropped rows' texts, in row order."""
        if not self._texts:
            return pa.array([], pa.large_string())
        rows = np.concatenate([r for r, _ in self._texts])
        return pa.concat_arrays([t for _, t in self._texts]).take(pa.array(np.argsort(rows, kind="stable")))


def kept_batch(batch, rows, text, domains, langs, scores, tokens, pii_counts) -> pa.RecordBatch:
    """The kept rows `rows` of `batch` with their final text and per-document figures."""
    take = pa.array(rows, pa.int64())
    cols = {c: batch.column(c).take(take) for c in _PASSTHROUGH}
    url = batch.column("url").take(take) if "url" in batch.schema.names else pa.nulls(len(rows), pa.string())
    cols.update(
        url=url,
        text=text.cast(pa.string()),
        domain=pa.array(domains[rows].tolist(), pa.string()),
        language=pa.array(langs[rows].tolist(), pa.string()),
        language_score=pa.array(scores[rows]),
        token_count=pa.array(tokens),
        **{k: pa.array(v) for k, v in pii_counts.items()},
    )
    return pa.RecordBatch.from_pydict(cols, schema=KEPT_SCHEMA)


def rejected_batch(batch, drops: Drops, langs, mask) -> pa.RecordBatch:
    """The dropped rows (`mask`) of `batch`: where and why each went, and its text at that moment."""
    rows = np.flatnonzero(mask)
    take = pa.array(rows, pa.int64())
    cols = {c: batch.column(c).take(take) for c in _PASSTHROUGH}
    score = drops.score[rows]
    cols.update(
        stage=pa.array(drops.stage[rows].tolist(), pa.string()),
        filter=pa.array(drops.filter[rows].tolist(), pa.string()),
        reason=pa.array(drops.reason[rows].tolist(), pa.string()),
        score=pa.array(score, mask=np.isnan(score)),
        language=pa.array(langs[rows].tolist(), pa.string()),
        text=drops.texts().cast(pa.string()),
    )
    return pa.RecordBatch.from_pydict(cols, schema=REJECTED_SCHEMA)
