"""Vector index upkeep and nearest-neighbour queries on a partitioned Lance dataset."""

from __future__ import annotations

import lance
import numpy as np
import pyarrow as pa
import pytest

from resources import lance_vectors as lv
from resources import lance_writes

DIM = 16


def _table(ids: list[str], day: str, vectors: np.ndarray) -> pa.Table:
    return pa.table({
        "doc_id": ids, "day": [day] * len(ids),
        "vector": pa.FixedSizeListArray.from_arrays(pa.array(vectors.astype(np.float32).ravel()), DIM),
    })


def _write(uri: str, table: pa.Table, day: str) -> None:
    lance_writes.replace_partitions(uri, pa.RecordBatchReader.from_batches(table.schema, table.to_batches()),
                          ["day"], [(day,)])


@pytest.fixture
def vectors():
    return np.random.default_rng(7).normal(size=(1200, DIM)).astype(np.float32)


def test_ivf_pq_params_divide_the_dimension():
    assert lv.ivf_pq_params(1_000_000, 384) == {"num_partitions": 1000, "num_sub_vectors": 48}
    assert lv.ivf_pq_params(10_000, 256) == {"num_partitions": 39, "num_sub_vectors": 32}
    assert lv.ivf_pq_params(100, 16)["num_partitions"] == 1
    for dim in (10, 16, 100, 384, 768):
        assert dim % lv.ivf_pq_params(400, dim)["num_sub_vectors"] == 0


def test_no_index_below_min_rows_but_queries_are_exact(tmp_path, vectors):
    uri = str(tmp_path / "e.lance")
    _write(uri, _table([f"a{i}" for i in range(100)], "2024-01-01", vectors[:100]), "2024-01-01")
    info = lv.refresh_index(uri, lv.IndexSpec(min_rows=1000))
    assert info["index"] is None and info["unindexed_rows"] == 100 and info["action"] == "none"
    hits = lv.nearest(lance.dataset(uri), lv.IndexSpec(), vectors[42], 3, columns=["doc_id"])
    assert hits.column("doc_id")[0].as_py() == "a42"
    assert hits.column("_distance")[0].as_py() == pytest.approx(0, abs=1e-5)


def test_index_built_then_refreshed_after_a_partition_is_rewritten(tmp_path, vectors):
    uri, spec = str(tmp_path / "e.lance"), lv.IndexSpec(min_rows=500)
    _write(uri, _table([f"a{i}" for i in range(600)], "2024-01-01", vectors[:600]), "2024-01-01")
    _write(uri, _table([f"b{i}" for i in range(300)], "2024-01-02", vectors[600:900]), "2024-01-02")
    info = lv.refresh_index(uri, spec)
    assert info["index"] == "IVF_PQ" and info["action"].startswith("created")
    assert (info["indexed_rows"], info["unindexed_rows"]) == (900, 0)

    # Rewrite day 2 with other vectors: the old rows must never come back, the new ones must be found
    # before and after the refresh folds them into the index.
    _write(uri, _table([f"c{i}" for i in range(300)], "2024-01-02", vectors[900:1200]), "2024-01-02")
    ds = lance.dataset(uri)
    assert lv.coverage(ds, spec)["unindexed_rows"] == 300
    for state in ("stale", "refreshed"):
        hits = lv.nearest(ds, spec, vectors[950], 5, columns=["doc_id"])
        assert hits.column("doc_id")[0].as_py() == "c50", state
        old = lv.nearest(ds, spec, vectors[650], 5, columns=["doc_id"]).column("doc_id").to_pylist()
        assert not any(d.startswith("b") for d in old), state
        info = lv.refresh_index(uri, spec)
        ds = lance.dataset(uri)
    assert info["unindexed_rows"] == 0 and ds.count_rows() == 900


def test_prefilter_keeps_k_rows(tmp_path, vectors):
    uri, spec = str(tmp_path / "e.lance"), lv.IndexSpec(min_rows=500)
    _write(uri, _table([f"a{i}" for i in range(600)], "2024-01-01", vectors[:600]), "2024-01-01")
    _write(uri, _table([f"b{i}" for i in range(600)], "2024-01-02", vectors[600:]), "2024-01-02")
    lv.refresh_index(uri, spec)
    hits = lv.nearest(lance.dataset(uri), spec, vectors[0], 7, columns=["doc_id", "day"],
                      filter="day = '2024-01-02'")
    assert hits.num_rows == 7 and set(hits.column("day").to_pylist()) == {"2024-01-02"}
    distances = hits.column("_distance").to_pylist()
    assert distances == sorted(distances)


def test_wrong_dimension_is_a_clear_error(tmp_path, vectors):
    uri = str(tmp_path / "e.lance")
    _write(uri, _table(["a"], "2024-01-01", vectors[:1]), "2024-01-01")
    with pytest.raises(ValueError, match="query has 3 dimensions, 'vector' has 16"):
        lv.nearest(lance.dataset(uri), lv.IndexSpec(), np.ones(3), 1)
