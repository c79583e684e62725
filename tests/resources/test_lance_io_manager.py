"""The Lance IO manager contract (DESIGN.md): partitions, concurrency, crash safety, metadata, time travel."""


import multiprocessing as mp
import os
import signal
import time

import dagster as dg
import lance
import pandas as pd
import pyarrow as pa
import pytest

from resources import lance_tables as lt
from resources.lance_io_manager import LanceIOManager
from tests.resources.io_assets import DAYS, META, events, materialize_day


def _io(tmp_path) -> LanceIOManager:
    return LanceIOManager(root_uri=str(tmp_path / "lake"))


def _by_day(ds, day: str) -> pa.Table:
    return ds.to_table(filter=f"day = '{day}'").sort_by("id")


def _mat_meta(result: dg.ExecuteInProcessResult, node: str) -> dict:
    return {k: v.value for k, v in result.asset_materializations_for_node(node)[0].metadata.items()}


def test_concurrent_writers_of_different_partitions_lose_nothing(tmp_path):
    root = str(tmp_path / "lake")
    days = ["2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05"]
    with mp.get_context("spawn").Pool(4) as pool:
        assert all(pool.starmap(materialize_day, [(root, d) for d in days]))
    ds = lance.dataset(f"{root}/events.lance")
    grouped = ds.to_table().group_by("day").aggregate([("id", "count")])
    counts = {r["day"]: r["id_count"] for r in grouped.to_pylist()}
    assert counts == {d: int(d[-2:]) * 10 for d in days}
    assert len(ds.to_table(columns=["id"]).column("id").unique()) == ds.count_rows()


def test_writer_killed_mid_write_leaves_last_version_intact(tmp_path):
    root = str(tmp_path / "lake")
    assert materialize_day(root, "2026-11-02", "event_stream")
    before = lance.dataset(f"{root}/event_stream.lance")
    version, content = before.version, before.to_table().sort_by("id")
    marker = tmp_path / "streaming"
    os.environ.update(SLOW_STREAM="0.05", STREAM_MARKER=str(marker))
    try:
        args = (root, "2026-11-02", "event_stream")
        proc = mp.get_context("spawn").Process(target=materialize_day, args=args)
        proc.start()
        deadline = time.time() + 60
        while not marker.exists() and time.time() < deadline:
            time.sleep(0.05)
        assert marker.exists(), "the writer never started streaming"
        time.sleep(0.5)
        os.kill(proc.pid, signal.SIGKILL)
        proc.join()
    finally:
        for k in ("SLOW_STREAM", "STREAM_MARKER"):
            os.environ.pop(k)
    after = lance.dataset(f"{root}/event_stream.lance")
    assert after.version == version
    assert after.to_table().sort_by("id").equals(content)
    assert materialize_day(root, "2026-11-02", "event_stream")  # a re-run succeeds
    assert lance.dataset(f"{root}/event_stream.lance").count_rows() == content.num_rows


def test_rewriting_a_partition_leaves_other_partitions_byte_identical(tmp_path):
    root = str(tmp_path / "lake")
    for d in ("2026-11-02", "2026-11-03", "2026-11-04"):
        assert materialize_day(root, d)
    ds = lance.dataset(f"{root}/events.lance")
    others = {d: _by_day(ds, d) for d in ("2026-11-02", "2026-11-04")}
    files_before = {f.fragment_id: [df.path for df in f.data_files()] for f in ds.get_fragments()}
    assert materialize_day(root, "2026-11-03")
    ds = lance.dataset(f"{root}/events.lance")
    assert ds.version == lance.dataset(f"{root}/events.lance", version=ds.version - 1).version + 1
    for d, table in others.items():
        assert _by_day(ds, d).equals(table)
    files_after = {f.fragment_id: [df.path for df in f.data_files()] for f in ds.get_fragments()}
    kept = {k: v for k, v in files_before.items() if k in files_after}
    assert len(kept) == 2 and all(files_after[k] == v for k, v in kept.items())
    assert _by_day(ds, "2026-11-03").num_rows == 30


def test_one_commit_per_partition_write(tmp_path):
    root = str(tmp_path / "lake")
    assert materialize_day(root, "2026-11-02")
    v1 = lance.dataset(f"{root}/events.lance").version
    assert materialize_day(root, "2026-11-02")
    ds = lance.dataset(f"{root}/events.lance")
    assert ds.version == v1 + 1
    props = ds.read_transaction(ds.version).transaction_properties
    assert props["dagster_asset_key"] == "events" and props["dagster_partitions"] == "2026-11-02"
    assert props["dagster_run_id"]


def test_downstream_load_of_one_partition_reads_only_that_partition(tmp_path):
    io = _io(tmp_path)
    seen = {}

    @dg.asset(partitions_def=DAYS, metadata=META)
    def daily_totals(events: pa.Table) -> pa.Table:
        seen["rows"] = events.num_rows
        return pa.table({"total": [pa.compute.sum(events["value"]).as_py()]})

    for d in ("2026-11-02", "2026-11-03", "2026-11-04"):
        assert dg.materialize([events], partition_key=d, resources={"io_manager": io}).success
    result = dg.materialize([events, daily_totals], selection=[daily_totals], partition_key="2026-11-03",
                            resources={"io_manager": io})
    loaded = [e for e in result.all_events if e.event_type_value == "LOADED_INPUT"][0]
    meta = {k: v.value for k, v in loaded.event_specific_data.metadata.items()}
    assert seen["rows"] == 30
    assert meta["lance/rows_scanned"] == 30 and meta["lance/fragments_scanned"] == 1
    # Lance's own scan counters agree: only the partition's fragment is read.
    ds = io.open(dg.AssetKey("events"))
    selection = lt.select_partitions(ds, ["day"], [("2026-11-03",)])
    metrics = lt.scan_metrics(ds, selection, ["value"])
    assert metrics["rows_scanned"] == 30 and metrics["fragments_scanned"] == 1
    assert ds.count_rows() == 20 + 30 + 40


def test_materialization_metadata(tmp_path):
    io = _io(tmp_path)
    dg.materialize([events], partition_key="2026-11-02", resources={"io_manager": io})
    result = dg.materialize([events], partition_key="2026-11-03", resources={"io_manager": io})
    meta = _mat_meta(result, "events")
    assert meta["dagster/uri"] == f"{tmp_path}/lake/events.lance"
    assert meta["dagster/row_count"] == 50 and meta["dagster/partition_row_count"] == 30
    assert [c.name for c in meta["dagster/column_schema"].columns] == ["id", "value", "day"]
    ds = io.open(dg.AssetKey("events"))
    assert meta["lance/version"] == ds.version
    assert ds.tags.list()[meta["lance/tag"]]["version"] == ds.version


def test_time_travel_and_tagged_versions_survive_cleanup(tmp_path):
    io = _io(tmp_path)

    @dg.asset
    def snapshot(context: dg.AssetExecutionContext) -> pa.Table:
        return pa.table({"n": [len(context.run_id)] * int(os.environ["ROWS"])})

    os.environ["ROWS"] = "3"
    try:
        first = dg.materialize([snapshot], resources={"io_manager": io})
        os.environ["ROWS"] = "5"
        dg.materialize([snapshot], resources={"io_manager": io})
    finally:
        os.environ.pop("ROWS")
    old_version = _mat_meta(first, "snapshot")["lance/version"]
    assert io.open(dg.AssetKey("snapshot")).count_rows() == 5
    assert io.open(dg.AssetKey("snapshot"), version=old_version).count_rows() == 3

    @dg.asset(ins={"snapshot": dg.AssetIn(metadata={"lance_version": old_version})})
    def reader(snapshot: pa.Table) -> pa.Table:
        return snapshot

    out = dg.materialize([snapshot, reader], selection=[reader], resources={"io_manager": io})
    assert out.output_for_node("reader").num_rows == 3
    lt.cleanup(io.open(dg.AssetKey("snapshot")), older_than_seconds=0)
    assert io.open(dg.AssetKey("snapshot"), version=old_version).count_rows() == 3


def test_pandas_output_and_lazy_dataset_input(tmp_path):
    io = _io(tmp_path)

    @dg.asset
    def frame() -> pd.DataFrame:
        return pd.DataFrame({"a": [1, 2, 3]})

    @dg.asset
    def lazy(frame: lance.LanceDataset) -> pa.Table:
        return frame.to_table(filter="a > 1")

    result = dg.materialize([frame, lazy], resources={"io_manager": io})
    assert result.output_for_node("lazy").column("a").to_pylist() == [2, 3]


def test_adding_a_nullable_column_works_and_a_type_change_fails(tmp_path):
    uri = str(tmp_path / "t.lance")

    def write(day: str, table: pa.Table):
        return lt.replace_partitions(uri, pa.RecordBatchReader.from_batches(table.schema, table.to_batches()),
                                     ["day"], [(day,)])

    write("d1", pa.table({"x": [1, 2]}))
    write("d2", pa.table({"x": [3], "label": ["new"]}))
    table = lance.dataset(uri).to_table().sort_by("x")
    assert table.column("label").to_pylist() == [None, None, "new"]
    with pytest.raises(lt.SchemaMismatchError, match=r"column 'x'.*int64.*string"):
        write("d3", pa.table({"x": ["oops"]}))
    assert lance.dataset(uri).count_rows() == 3


def test_multi_partitions_replace_only_their_cell(tmp_path):
    io = _io(tmp_path)
    parts = dg.MultiPartitionsDefinition({"day": DAYS, "lang": dg.StaticPartitionsDefinition(["en", "fr"])})

    @dg.asset(partitions_def=parts, metadata={"partition_expr": {"day": "day", "lang": "lang"}})
    def by_lang(context: dg.AssetExecutionContext) -> pa.Table:
        key = context.partition_key.keys_by_dimension
        return pa.table({"day": [key["day"]] * 2, "lang": [key["lang"]] * 2, "v": [1, 2]})

    for day, lang in [("2026-11-02", "en"), ("2026-11-02", "fr"), ("2026-11-02", "en")]:
        key = dg.MultiPartitionKey({"day": day, "lang": lang})
        assert dg.materialize([by_lang], partition_key=key, resources={"io_manager": io}).success
    ds = io.open(dg.AssetKey("by_lang"))
    assert sorted(ds.to_table().column("lang").to_pylist()) == ["en", "en", "fr", "fr"]


def test_rows_outside_the_partition_are_refused(tmp_path):
    uri = str(tmp_path / "t.lance")
    table = pa.table({"day": ["d1", "d2"], "x": [1, 2]})
    with pytest.raises(ValueError, match="partition key 'd1'"):
        lt.replace_partitions(uri, pa.RecordBatchReader.from_batches(table.schema, table.to_batches()),
                              ["day"], [("d1",)])


def test_one_write_may_cover_several_partitions(tmp_path):
    uri = str(tmp_path / "t.lance")
    table = pa.table({"day": ["d1", "d2", "d1"], "x": [1, 2, 3]})
    lt.replace_partitions(uri, pa.RecordBatchReader.from_batches(table.schema, table.to_batches()),
                          ["day"], [("d1",), ("d2",)])
    ds = lance.dataset(uri)
    days_per_fragment = {len(set(f.to_table(columns=["day"])["day"].to_pylist())) for f in ds.get_fragments()}
    assert days_per_fragment == {1}
    assert ds.count_rows("day = 'd1'") == 2


def test_content_hash_matches_a_read_back_and_ignores_chunking(tmp_path):
    io = _io(tmp_path)
    dg.materialize([events], partition_key="2026-11-02", resources={"io_manager": io})
    result = dg.materialize([events], partition_key="2026-11-03", resources={"io_manager": io})
    meta = _mat_meta(result, "events")
    ds = io.open(dg.AssetKey("events"), version=meta["lance/version"])
    assert lt.partition_hash(ds, ["day"], [("2026-11-03",)]) == meta["lance/content_hash"]
    assert lt.partition_hash(ds, ["day"], [("2026-11-02",)]) != meta["lance/content_hash"]
    table = ds.to_table()
    one = lt.hash_reader(table.to_batches(max_chunksize=7))
    whole = table.combine_chunks().to_batches()
    assert one == lt.hash_reader(table.to_batches(max_chunksize=1000)) == lt.hash_reader(whole)
