"""Distributions of a classifications table, for asset metadata and the demo summary, in bounded memory.

`Summary` takes the rows a batch at a time. Label counts and means are exact. Quantiles come from a sample
of at most `QUANTILE_SAMPLE` values per column: the values of the rows whose doc_id hashes lowest (a
bottom-k sample: uniform, the same whatever the batch order, and every value while a day has fewer rows), so
a day of any size holds a fixed amount (~0.5 MB a column), with a rank error near 1 / sqrt(k), 0.6%.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from platform_assets.processors.hashing import hash64

QUANTILE_SAMPLE = 1 << 15


def _counted(name: str) -> bool:
    return name.startswith("label__") or name.endswith(("__status", "__language", "__code_language"))


def _quantiled(name: str) -> bool:
    return name.startswith("score__") or name.endswith(("__function_count", "__steps", "__option_overlap"))


class _Sample:
    """The values of the (at most `size`) rows with the lowest hashes seen so far, nulls skipped."""

    def __init__(self, size: int):
        self.size, self.hashes, self.values = size, np.empty(0, np.uint64), np.empty(0)
        self.n, self.total = 0, 0.0

    def add(self, hashes: np.ndarray, col: pa.Array) -> None:
        valid = pc.is_valid(col).to_numpy(zero_copy_only=False)
        values = pc.drop_null(col).to_numpy(zero_copy_only=False).astype(float)
        self.n, self.total = self.n + values.size, self.total + float(values.sum())
        self.hashes, self.values = np.r_[self.hashes, hashes[valid]], np.r_[self.values, values]
        if self.hashes.size > 2 * self.size:
            keep = np.argpartition(self.hashes, self.size)[: self.size]
            self.hashes, self.values = self.hashes[keep], self.values[keep]

    def quantiles(self) -> dict[str, float]:
        if self.n == 0:
            return {}
        values = self.values[np.argpartition(self.hashes, self.size)[: self.size]] \
            if self.hashes.size > self.size else self.values
        p10, p50, p90 = np.quantile(values, [0.1, 0.5, 0.9])
        return {"p10": round(float(p10), 4), "p50": round(float(p50), 4), "p90": round(float(p90), 4),
                "mean": round(self.total / self.n, 4), "n": self.n}


class Summary:
    """`classifications/...` metadata: label counts, score quantiles, share above the keep threshold."""

    def __init__(self, names: list[str], quality_threshold: float | None = None,
                 sample: int = QUANTILE_SAMPLE):
        self.names, self.threshold = names, quality_threshold
        self.rows, self.above = 0, 0
        self.counts: dict[str, Counter] = {n: Counter() for n in names if _counted(n)}
        self.samples: dict[str, _Sample] = {n: _Sample(sample) for n in names if _quantiled(n)}

    def update(self, batch: pa.RecordBatch | pa.Table) -> Summary:
        self.rows += batch.num_rows
        hashes = None
        for name in batch.schema.names:
            col = batch.column(name)
            if name in self.counts:
                for v in pc.value_counts(col).to_pylist():
                    self.counts[name][str(v["values"])] += int(v["counts"])
            elif name in self.samples:
                if hashes is None:
                    ids = batch.column("doc_id").to_pylist()
                    hashes = hash64((str(d) for d in ids), count=len(ids))
                self.samples[name].add(hashes, col)
        if self.threshold is not None and "score__quality_v1" in batch.schema.names:
            above = pc.greater_equal(batch.column("score__quality_v1"), self.threshold)
            self.above += pc.sum(above).as_py() or 0
        return self

    def metadata(self) -> dict:
        out: dict = {"classifications/rows": self.rows}
        for name in self.names:
            if name in self.counts:
                ranked = sorted(self.counts[name].items(), key=lambda kv: -kv[1])
                out[f"classifications/{name}"] = dict(ranked)
            elif name in self.samples and (q := self.samples[name].quantiles()):
                out[f"classifications/{name}"] = q
        if self.threshold is not None and "score__quality_v1" in self.names and self.rows:
            out["classifications/quality_v1_keep_share"] = round(self.above / self.rows, 4)
        return out


def summarize(table: pa.Table, quality_threshold: float | None = None) -> dict:
    """The metadata of a whole table (`Summary` over its batches)."""
    summary = Summary(table.column_names, quality_threshold)
    for batch in table.to_batches():
        summary.update(batch)
    return summary.metadata()
