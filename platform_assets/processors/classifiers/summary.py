"""Distributions of a classifications table, for asset metadata and the demo summary."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def _quantiles(col: pa.ChunkedArray) -> dict[str, float]:
    values = pc.drop_null(col).to_numpy(zero_copy_only=False).astype(float)
    if values.size == 0:
        return {}
    p10, p50, p90 = np.quantile(values, [0.1, 0.5, 0.9])
    return {
        "p10": round(float(p10), 4),
        "p50": round(float(p50), 4),
        "p90": round(float(p90), 4),
        "mean": round(float(values.mean()), 4),
        "n": int(values.size),
    }


def _counts(col: pa.ChunkedArray) -> dict[str, int]:
    vc = pc.value_counts(col).to_pylist()
    return {str(v["values"]): int(v["counts"]) for v in sorted(vc, key=lambda v: -v["counts"])}


def summarize(table: pa.Table, quality_threshold: float | None = None) -> dict:
    """`classifications/...` metadata: label counts, score quantiles, share above the keep threshold."""
    out: dict = {"classifications/rows": table.num_rows}
    for name in table.column_names:
        col = table.column(name)
        if name.startswith("label__") or name.endswith(("__status", "__language", "__code_language")):
            out[f"classifications/{name}"] = _counts(col)
        elif name.startswith("score__") or name.endswith(("__function_count", "__steps", "__option_overlap")):
            q = _quantiles(col)
            if q:
                out[f"classifications/{name}"] = q
    if quality_threshold is not None and "score__quality_v1" in table.column_names and table.num_rows:
        above = pc.sum(pc.greater_equal(table.column("score__quality_v1"), quality_threshold)).as_py() or 0
        out["classifications/quality_v1_keep_share"] = round(above / table.num_rows, 4)
    return out
