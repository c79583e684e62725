"""Vector indexes on Lance datasets, and nearest-neighbour queries over them.

An asset asks for an index with `vector_index` definition metadata (`{"column": "vector", "metric":
"cosine"}`); the IO manager calls `refresh_index` after each write. Lance answers a `nearest` query from
the IVF_PQ index for the fragments it covers and by exact (flat) search for the rest, so a partition
written since the last refresh is found too, only more slowly; `optimize_indices` folds new fragments in
without retraining the centroids.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Any

import lance
import numpy as np
import pyarrow as pa

log = logging.getLogger(__name__)

# Below this many rows a flat scan is as fast as an index and PQ has too few rows to train its codebooks.
MIN_INDEX_ROWS = 5_000


@dataclass(frozen=True)
class IndexSpec:
    column: str = "vector"
    metric: str = "cosine"
    min_rows: int = MIN_INDEX_ROWS

    @classmethod
    def from_metadata(cls, value: dict[str, Any] | None) -> IndexSpec | None:
        return None if not value else cls(**{"min_rows": MIN_INDEX_ROWS, **value})

    @property
    def name(self) -> str:
        return f"{self.column}_idx"


def vector_dim(ds, column: str) -> int:
    field = ds.schema.field(column)
    if not pa.types.is_fixed_size_list(field.type):
        raise TypeError(f"{ds.uri}: column {column!r} must be fixed_size_list<float>, not {field.type}")
    return field.type.list_size


def ivf_pq_params(rows: int, dim: int) -> dict[str, int]:
    """About sqrt(rows) IVF partitions (Lance's advice), but at least 256 training rows for each, as
    Lance's k-means trains no more; PQ sub-vectors of 8 dimensions where they divide."""
    partitions = max(1, min(int(math.sqrt(rows)), rows // 256))
    sub_vectors = next(s for s in (dim // 8, dim // 4, dim // 2, dim, 1) if s >= 1 and dim % s == 0)
    return {"num_partitions": partitions, "num_sub_vectors": sub_vectors}


def _index(ds, name: str) -> dict | None:
    return next((i for i in ds.list_indices() if i["name"] == name), None)


def coverage(ds, spec: IndexSpec) -> dict[str, Any]:
    """Rows the index covers and rows only a flat scan finds (fragments written since the last refresh)."""
    index = _index(ds, spec.name)
    # An optimize may add a delta segment under the same name rather than merge: count them all.
    covered = {f for i in ds.list_indices() if i["name"] == spec.name for f in i["fragment_ids"]}
    indexed = unindexed = 0
    for fragment in ds.get_fragments():
        rows = fragment.count_rows()
        if fragment.fragment_id in covered:
            indexed += rows
        else:
            unindexed += rows
    return {"index": index["type"] if index else None, "indexed_rows": indexed, "unindexed_rows": unindexed}


def refresh_index(uri: str, spec: IndexSpec, storage_options: dict | None = None) -> dict[str, Any]:
    """Build the IVF_PQ index once the dataset is big enough, else fold new fragments into it.

    Best effort: a failed refresh (a concurrent writer, say) is logged and leaves queries correct, since
    unindexed fragments are searched exactly. Returns what the index covers afterwards, and what was done.
    """
    ds = lance.dataset(uri, storage_options=storage_options)
    action = "none"
    try:
        if _index(ds, spec.name) is None:
            rows = ds.count_rows()
            if rows >= spec.min_rows:
                params = ivf_pq_params(rows, vector_dim(ds, spec.column))
                ds.create_index(spec.column, "IVF_PQ", name=spec.name, metric=spec.metric, **params)
                action = f"created IVF_PQ ({params['num_partitions']} partitions, " \
                         f"{params['num_sub_vectors']} sub-vectors)"
        elif coverage(ds, spec)["unindexed_rows"]:
            ds.optimize.optimize_indices(index_names=[spec.name])
            action = "optimized"
    except Exception as exc:  # noqa: BLE001 - an index is an accelerator; the data is committed already
        log.warning("vector index refresh on %s failed: %s", ds.uri, exc)
        action = f"failed: {exc}"
    ds = lance.dataset(uri, storage_options=storage_options)
    return {**coverage(ds, spec), "action": action, "metric": spec.metric}


def nearest(ds, spec: IndexSpec, query: np.ndarray, k: int, *, columns: list[str] | None = None,
            filter: str | None = None, nprobes: int = 32, refine_factor: int = 10) -> pa.Table:
    """The `k` rows nearest to `query`, closest first, with `_distance` (exact, thanks to the refine step).

    `filter` is applied before the search (prefilter), so a filtered query still returns `k` rows when
    that many match.
    """
    q = np.asarray(query, dtype=np.float32).ravel()
    dim = vector_dim(ds, spec.column)
    if q.shape[0] != dim:
        raise ValueError(f"query has {q.shape[0]} dimensions, {spec.column!r} has {dim}")
    scanner = ds.scanner(
        columns=[*(columns or []), "_distance"],
        nearest={"column": spec.column, "q": q, "k": k, "nprobes": nprobes, "refine_factor": refine_factor,
                 "metric": spec.metric},
        filter=filter, prefilter=filter is not None,
    )
    return scanner.to_table().sort_by("_distance")
