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

from resources import lance_content_hash, lance_datasets, lance_scans, lance_schema, lance_tags, lance_writes
from resources.lance_io_manager import LanceIOManager
from tests.resources.io_assets import DAYS, META, events, materialize_day, rows_for, write_day_together
from tests.resources.racing_writers import (
    replace_partition_together,
    replace_same_partition_rounds,
    run_together,
)


def _io(tmp_path) -> LanceIOManager:
    return LanceIOManager(root_uri=str(tmp_path / "lake"))


def _by_day(ds, day: str) -> pa.Table:
    return ds.to_table(filter=f"day = '{day}'").sort_by("id")


def _mat_meta(result: dg.ExecuteInProcessResult, node: str) -> dict:
    return {k: v.value for k, v in result.asset_materializations_for_node(node)[0].metadata.items()}


def test_concurrent_writers_of_different_partitions_lose_nothing(tmp_path):
    root = str(tmp_path / "lake")
    days = ["2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05"]
    # No dataset yet: the four writers also race to create it (a late `mode="create"` used to overwrite
    # a partition another writer had just committed; see `lance_datasets.ensure_dataset`).
    # Every writer has its rows in hand before any of them writes.
    assert run_together(write_day_together, [(root, d) for d in days]) == [0] * len(days)
    ds = lance.dataset(f"{root}/events.lance")
    grouped = ds.to_table().group_by("day").aggregate([("id", "count")])
    counts = {r["day"]: r["id_count"] for r in grouped.to_pylist()}
    assert counts == {d: int(d[-2:]) * 10 for d in days}
    assert len(ds.to_table(columns=["id"]).column("id").unique()) == ds.count_rows()


def test_writers_racing_to_create_a_dataset_make_it_once_and_lose_no_commit(tmp_path):
    # Before `ensure_dataset`, a creator that lost the race became an Overwrite: 2 of 16 rounds lost rows.
    keys = [f"p{i}" for i in range(6)]
    for round_ in range(3):
        uri = str(tmp_path / f"race{round_}.lance")
        exits = run_together(replace_partition_together, [(uri, k) for k in keys], timeout=300)
        assert exits == [0] * len(keys)
        ds = lance.dataset(uri)
        assert ds.count_rows() == 60 and ds.version == 1 + len(keys)  # one create, then one commit per writer
        assert sorted(ds.to_table(columns=["day"]).column("day").unique().to_pylist()) == keys


@pytest.mark.slow  # 5 x (2..6 spawned writers) racing 4 rounds each: 20 rounds, ~1 min on 2 cores
def test_writers_racing_on_the_same_new_partition_never_double_it(tmp_path):
    # Both replaces of a partition with no rows removed nothing, so Lance rebased one onto the other: 8 of 8
    # trials ended with both writers' rows. The last committer's rows must be the partition's.
    for writers in range(2, 7):
        uri = str(tmp_path / f"same{writers}.lance")
        args = [(uri, w, 4) for w in range(writers)]
        exits = run_together(replace_same_partition_rounds, args, timeout=300)
        assert exits == [0] * writers
        table = lance.dataset(uri).to_table()
        for r in range(4):
            ids = table.filter(pa.compute.equal(table.column("day"), f"r{r}")).column("id").to_pylist()
            assert len(ids) == 10, (writers, r, sorted(ids))
            assert len({i.split("-")[0] for i in ids}) == 1  # one writer's rows, not a mix


def test_ensure_dataset_creates_once_with_the_house_format(tmp_path):
    uri = str(tmp_path / "t.lance")
    schema = pa.schema([("day", pa.string()), ("id", pa.int64())])
    ds = lance_datasets.ensure_dataset(uri, schema)
    assert (ds.version, ds.count_rows(), ds.schema) == (1, 0, schema)
    assert ds.data_storage_version == lance_datasets.DATA_STORAGE_VERSION
    assert ds.has_stable_row_ids
    other = pa.schema([("other", pa.string())])
    assert lance_datasets.ensure_dataset(uri, other).version == 1  # an existing one is kept


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
    read = _mat_meta(result, "daily_totals")["lance/input_versions"]["events"]
    assert seen["rows"] == 30 and read["partitions"] == ["2026-11-03"]
    assert read["rows_scanned"] == 30 and read["fragments_scanned"] == 1
    # recorded on the materialization itself, not as an observation of `events` per read
    assert not [e for e in result.all_events if e.event_type_value == "ASSET_OBSERVATION"]
    # Lance's own scan counters agree: only the partition's fragment is read.
    ds = io.open(dg.AssetKey("events"))
    selection = lance_scans.select_partitions(ds, ["day"], [("2026-11-03",)])
    metrics = lance_scans.scan_metrics(ds, selection, ["value"])
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
    lance_tags.cleanup(io.open(dg.AssetKey("snapshot")), older_than_seconds=0)
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
        reader = pa.RecordBatchReader.from_batches(table.schema, table.to_batches())
        return lance_writes.replace_partitions(uri, reader, ["day"], [(day,)])

    write("d1", pa.table({"x": [1, 2]}))
    write("d2", pa.table({"x": [3], "label": ["new"]}))
    table = lance.dataset(uri).to_table().sort_by("x")
    assert table.column("label").to_pylist() == [None, None, "new"]
    with pytest.raises(lance_schema.SchemaMismatchError, match=r"column 'x'.*int64.*string"):
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
        reader = pa.RecordBatchReader.from_batches(table.schema, table.to_batches())
        lance_writes.replace_partitions(uri, reader, ["day"], [("d1",)])


def test_one_write_may_cover_several_partitions(tmp_path):
    uri = str(tmp_path / "t.lance")
    table = pa.table({"day": ["d1", "d2", "d1"], "x": [1, 2, 3]})
    lance_writes.replace_partitions(uri, pa.RecordBatchReader.from_batches(table.schema, table.to_batches()),
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
    assert lance_scans.partition_hash(ds, ["day"], [("2026-11-03",)]) == meta["lance/content_hash"]
    assert lance_scans.partition_hash(ds, ["day"], [("2026-11-02",)]) != meta["lance/content_hash"]
    table = ds.to_table()
    one = lance_content_hash.hash_reader(table.to_batches(max_chunksize=7))
    whole = table.combine_chunks().to_batches()
    chunked = lance_content_hash.hash_reader(table.to_batches(max_chunksize=1000))
    assert one == chunked == lance_content_hash.hash_reader(whole)


def _reader(table: pa.Table, chunk: int | None = None) -> pa.RecordBatchReader:
    return pa.RecordBatchReader.from_batches(table.schema, table.to_batches(max_chunksize=chunk))


def test_a_range_in_one_run_records_each_partitions_own_rows_and_hash(tmp_path):
    io = _io(tmp_path)
    tags = {"dagster/asset_partition_range_start": "2026-11-02",
            "dagster/asset_partition_range_end": "2026-11-03"}

    @dg.asset(partitions_def=DAYS, metadata=META)
    def ranged(context: dg.AssetExecutionContext) -> pa.Table:
        tables = [rows_for(d) for d in context.partition_keys]
        return pa.concat_tables([t.append_column("day", pa.array([d] * t.num_rows))
                                 for d, t in zip(context.partition_keys, tables, strict=True)])

    result = dg.materialize([ranged], tags=tags, resources={"io_manager": io})
    mats = result.asset_materializations_for_node("ranged")
    assert sorted(m.partition for m in mats) == ["2026-11-02", "2026-11-03"]
    for mat in mats:
        meta = {k: v.value for k, v in mat.metadata.items()}
        ds = io.open(dg.AssetKey("ranged"), version=meta["lance/version"])
        assert meta["dagster/partition_row_count"] == ds.count_rows(f"day = '{mat.partition}'") == \
            int(mat.partition[-2:]) * 10
        assert meta["lance/content_hash"] == lance_scans.partition_hash(ds, ["day"], [(mat.partition,)])
        assert meta["dagster/row_count"] == 50


def test_per_partition_hashes_of_one_write_match_a_read_back(tmp_path, monkeypatch):
    monkeypatch.setattr(lance_writes, "FLUSH_ROWS", 3)  # partitions interleave across several fragments
    uri = str(tmp_path / "t.lance")
    table = pa.table({"day": ["d1", "d2", "d1", "d1", "d2", "d1", "d1", "d2"], "x": list(range(8))})
    keys = [("d1",), ("d2",), ("d3",)]
    result = lance_writes.replace_partitions(uri, _reader(table, chunk=2), ["day"], keys)
    ds = lance.dataset(uri)
    assert len(ds.get_fragments()) > 2 and result.content_hash is None
    for key, (rows, digest) in result.partitions.items():
        assert rows == ds.count_rows(f"day = '{key[0]}'")
        assert digest == lance_scans.partition_hash(ds, ["day"], [key])
    assert result.partitions[("d1",)] != result.partitions[("d2",)]


def test_pruning_keeps_a_fragment_whose_ends_hide_other_partitions(tmp_path):
    uri = str(tmp_path / "t.lance")
    mixed = pa.table({"day": ["A", "B", "A"], "x": [1, 2, 3]})  # one fragment, as after a compaction
    lance.write_dataset(mixed, uri, data_storage_version=lance_datasets.DATA_STORAGE_VERSION,
                        enable_stable_row_ids=True)
    lance_writes.replace_partitions(uri, _reader(pa.table({"day": ["C"], "x": [4]})), ["day"], [("C",)])

    def rows(key: str) -> list[int]:
        ds = lance.dataset(uri)
        scan = lance_scans.scanner(ds, lance_scans.select_partitions(ds, ["day"], [(key,)]), ["x"])
        return [] if scan is None else sorted(scan.to_table().column("x").to_pylist())

    assert rows("B") == [2] and rows("A") == [1, 3] and rows("C") == [4]
    pure = lance_scans.select_partitions(lance.dataset(uri), ["day"], [("C",)])
    assert len(pure.fragments) == 1  # pruned
    # Replacing A shrinks the mixed fragment with a deletion vector: B stays readable, A is the new rows.
    lance_writes.replace_partitions(uri, _reader(pa.table({"day": ["A"], "x": [5]})), ["day"], [("A",)])
    assert rows("B") == [2] and rows("A") == [5] and rows("C") == [4]


def test_input_columns_and_filter_metadata_project_and_filter_the_partition(tmp_path):
    io = _io(tmp_path)
    seen = {}

    @dg.asset(partitions_def=DAYS, metadata=META,
              ins={"events": dg.AssetIn(metadata={"columns": ["value"], "filter": "value >= 25"})})
    def tail_values(events: pa.Table) -> pa.Table:
        seen["table"] = events
        return events.append_column("day", pa.array(["2026-11-03"] * events.num_rows))

    for d in ("2026-11-02", "2026-11-03"):
        assert dg.materialize([events], partition_key=d, resources={"io_manager": io}).success
    assert dg.materialize([events, tail_values], selection=[tail_values], partition_key="2026-11-03",
                          resources={"io_manager": io}).success
    assert seen["table"].column_names == ["value"]
    assert seen["table"].column("value").to_pylist() == [25.0, 26.0, 27.0, 28.0, 29.0]


def test_record_batch_reader_input_streams_in_batches(tmp_path):
    io = _io(tmp_path)
    seen = {}

    @dg.asset(ins={"events": dg.AssetIn(metadata={"batch_size": 7})})
    def streamed(events: pa.RecordBatchReader) -> pa.Table:
        seen["type"] = type(events)
        batches = list(events)
        seen["sizes"] = [b.num_rows for b in batches]
        return pa.Table.from_batches(batches, schema=events.schema)

    for d in ("2026-11-02", "2026-11-03"):
        assert dg.materialize([events], partition_key=d, resources={"io_manager": io}).success
    result = dg.materialize([events, streamed], selection=[streamed], resources={"io_manager": io})
    assert seen["type"] is pa.RecordBatchReader
    assert sum(seen["sizes"]) == 50 and max(seen["sizes"]) <= 7
    out = result.output_for_node("streamed")
    stored = io.open(dg.AssetKey("events")).to_table()
    assert sorted(out.column("id").to_pylist()) == sorted(stored.column("id").to_pylist())


def test_dynamic_partitions_in_a_run_with_an_instance(tmp_path):
    io = _io(tmp_path)
    sources = dg.DynamicPartitionsDefinition(name="sources")

    @dg.asset(partitions_def=sources, metadata={"partition_expr": "source"})
    def by_source(context: dg.AssetExecutionContext) -> pa.Table:
        return pa.table({"source": [context.partition_key] * 2, "v": [1, 2]})

    @dg.asset(partitions_def=sources, metadata={"partition_expr": "source"})
    def same_source(by_source: pa.Table) -> pa.Table:
        return by_source

    @dg.asset
    def every_source(by_source: pa.Table) -> pa.Table:
        return by_source

    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions("sources", ["a", "b"])
        for key in ("a", "b"):
            assert dg.materialize([by_source], partition_key=key, instance=instance,
                                  resources={"io_manager": io}).success
        one = dg.materialize([by_source, same_source], selection=[same_source], partition_key="b",
                             instance=instance, resources={"io_manager": io})
        assert one.output_for_node("same_source").column("source").to_pylist() == ["b", "b"]
        every = dg.materialize([by_source, every_source], selection=[every_source], instance=instance,
                               resources={"io_manager": io})
        assert sorted(every.output_for_node("every_source").column("source").to_pylist()) == list("aabb")


def test_fragments_written_by_the_asset_commit_as_a_streamed_write_would(tmp_path):
    table = pa.table({"day": ["d1"] * 5, "x": list(range(5))})
    old = pa.table({"day": ["d1", "d2"], "x": [9, 9]})
    streamed, written = str(tmp_path / "a.lance"), str(tmp_path / "b.lance")
    for uri in (streamed, written):
        lance_writes.replace_partitions(uri, _reader(old), ["day"], [("d1",), ("d2",)])
    expected = lance_writes.replace_partitions(streamed, _reader(table, chunk=2), ["day"], [("d1",)])
    fragments = lance_writes.write_partition(written, _reader(table, chunk=2), ["day"], ("d1",))
    assert lance.dataset(written).count_rows("day = 'd1'") == 1  # uncommitted: readers see the old rows
    result = lance_writes.commit_fragments(written, fragments, ["day"], ("d1",))
    assert (result.version, result.rows_written, result.content_hash) == \
        (expected.version, 5, expected.content_hash)
    assert result.content_hash == lance_scans.partition_hash(lance.dataset(written), ["day"], [("d1",)])
    assert lance.dataset(written).to_table().equals(lance.dataset(streamed).to_table())
