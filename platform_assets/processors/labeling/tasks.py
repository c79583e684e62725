"""Labeling tasks from sampled candidates: one row per task with its item, suggestion, stratum and overlap.

Pure Arrow (no dagster import): `build_tasks` turns the candidates a queue's SQL returned into the
`labeling_queue` rows.
"""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import xxhash

from platform_assets.processors.labeling import sampling

ITEM_COLUMNS = ("item_id", "text", "text_a", "text_b", "score", "threshold", "model_version", "gold")

TASK_SCHEMA = pa.schema(
    [
        ("queue", pa.string()),
        ("task_id", pa.string()),
        ("position", pa.int32()),
        ("item_id", pa.string()),
        ("text", pa.large_string()),
        ("text_a", pa.large_string()),
        ("text_b", pa.large_string()),
        ("slice", pa.string()),
        ("stratum", pa.string()),
        ("overlap_group", pa.int32()),
        ("required_annotations", pa.int32()),
        ("suggestion_label", pa.string()),
        ("suggestion_score", pa.float64()),
        ("threshold", pa.float64()),
        ("model_version", pa.string()),
        ("gold", pa.string()),
        ("extra", pa.string()),
        ("spec_hash", pa.string()),
    ]
)


def task_id(queue: str, item_id: str) -> str:
    """Stable id of a task: the same item in the same queue is the same task."""
    return xxhash.xxh3_128_hexdigest(f"{queue}\0{item_id}".encode())


def _column(table: pa.Table, name: str, rows: np.ndarray, dtype: pa.DataType) -> pa.Array:
    if name not in table.column_names:
        return pa.nulls(len(rows), dtype)
    return table.column(name).take(pa.array(rows, pa.int64())).cast(dtype).combine_chunks()


def suggestions(score: pa.Array, threshold: pa.Array, above: str | None, below: str | None) -> pa.Array:
    """`above` where score >= threshold, `below` where lower, null where either is missing."""
    if above is None or below is None:
        return pa.nulls(len(score), pa.string())
    high = pc.greater_equal(score, threshold)
    return pc.if_else(high, pa.scalar(above), pa.scalar(below))


def build_tasks(
    candidates: pa.Table,
    queue: str,
    plan: sampling.Plan,
    spec_hash: str,
    above: str | None = None,
    below: str | None = None,
) -> pa.Table:
    """The `labeling_queue` rows for one queue: sampled tasks in order, with overlap groups assigned."""
    duplicated = pc.count_distinct(candidates.column("item_id")).as_py() != candidates.num_rows
    if duplicated:
        counts = pc.value_counts(candidates.column("item_id"))
        dup = counts.filter(pc.greater(counts.field("counts"), 1))[0]["values"].as_py()
        raise ValueError(f"item_id {dup!r} appears more than once; select each item once")
    rows, slices = sampling.select(candidates, plan)
    ids = _column(candidates, "item_id", rows, pa.string()).to_pylist()
    groups, required = sampling.overlap_groups(ids, plan)
    strata = sampling.strata_of(candidates, plan.strata)
    score = _column(candidates, "score", rows, pa.float64())
    threshold = _column(candidates, "threshold", rows, pa.float64())
    extra_names = [c for c in candidates.column_names if c not in ITEM_COLUMNS]
    extra_values = [candidates.column(c).take(pa.array(rows, pa.int64())).to_pylist() for c in extra_names]
    extra = (
        [
            json.dumps(dict(zip(extra_names, vals, strict=True)), sort_keys=True, default=str)
            for vals in zip(*extra_values, strict=True)
        ]
        if extra_names
        else ["{}"] * len(rows)
    )
    n = len(rows)
    return pa.table(
        {
            "queue": pa.array([queue] * n, pa.string()),
            "task_id": pa.array([task_id(queue, i) for i in ids], pa.string()),
            "position": pa.array(np.arange(n, dtype=np.int32)),
            "item_id": pa.array(ids, pa.string()),
            "text": _column(candidates, "text", rows, pa.large_string()),
            "text_a": _column(candidates, "text_a", rows, pa.large_string()),
            "text_b": _column(candidates, "text_b", rows, pa.large_string()),
            "slice": pa.array(slices, pa.string()),
            "stratum": pa.array([strata[i] for i in rows], pa.string()),
            "overlap_group": pa.array(groups, pa.int32()),
            "required_annotations": pa.array(required, pa.int32()),
            "suggestion_label": suggestions(score, threshold, above, below),
            "suggestion_score": score,
            "threshold": threshold,
            "model_version": _column(candidates, "model_version", rows, pa.string()),
            "gold": _column(candidates, "gold", rows, pa.string()),
            "extra": pa.array(extra, pa.string()),
            "spec_hash": pa.array([spec_hash] * n, pa.string()),
        },
        schema=TASK_SCHEMA,
    )
