"""Audits list the exact input versions of a materialization, and --verify catches tampering."""

import dagster as dg
import pyarrow as pa

from platform_assets.cli.lineage import audit
from resources.lance_io_manager import LanceIOManager

DAYS = dg.DailyPartitionsDefinition(start_date="2026-11-01")
META = {"partition_expr": "day"}


@dg.asset(partitions_def=DAYS, metadata=META, code_version="v1")
def docs(context: dg.AssetExecutionContext) -> pa.Table:
    n = int(context.partition_key[-2:]) * 100
    return pa.table({"doc_id": [f"{context.partition_key}-{i}" for i in range(n)], "x": list(range(n))})


@dg.asset(code_version="v7")
def mix(context: dg.AssetExecutionContext, docs: pa.Table) -> pa.Table:
    context.add_output_metadata({"spec_hash": "abc123"})
    return docs.slice(0, 10)


def _run(instance, io, *assets, **kw):
    assert dg.materialize(list(assets), instance=instance, resources={"io_manager": io}, **kw).success


def test_audit_lists_the_exact_input_versions(tmp_path):
    io = LanceIOManager(root_uri=str(tmp_path))
    with dg.instance_for_test() as instance:
        _run(instance, io, docs, partition_key="2026-11-02")
        _run(instance, io, docs, partition_key="2026-11-03")
        _run(instance, io, docs, mix, selection=[mix])
        _run(instance, io, docs, partition_key="2026-11-02")  # a newer version mix did not read
        tree = audit.audit(instance, "mix")
        assert (tree.asset, tree.code_version, tree.spec_hash, tree.row_count) == ("mix", "v7", "abc123", 10)
        inputs = {(n.asset, n.partition): n.lance_version for n in tree.inputs}
        assert inputs == {("docs", "2026-11-02"): 2, ("docs", "2026-11-03"): 3}
        assert all(n.run_id and n.timestamp and n.code_version == "v1" for n in tree.inputs)
        assert audit.verify(tree, io, {"docs": ["day"]}) == []
        assert "docs [2026-11-02]  lance v2" in audit.render(tree)


def test_verify_detects_a_tampered_old_version(tmp_path):
    io = LanceIOManager(root_uri=str(tmp_path))
    with dg.instance_for_test() as instance:
        _run(instance, io, docs, partition_key="2026-11-02")
        _run(instance, io, docs, mix, selection=[mix])
        _run(instance, io, docs, partition_key="2026-11-02")
        tree = audit.audit(instance, "mix")
        old = io.open(dg.AssetKey("docs"), version=tree.inputs[0].lance_version)
        data_file = tmp_path / "docs.lance" / "data" / old.get_fragments()[0].data_files()[0].path
        raw = bytearray(data_file.read_bytes())
        raw[100:400] = bytes(300)  # corrupt values inside the old version's only data file
        data_file.write_bytes(bytes(raw))
        bad = audit.verify(tree, io, {"docs": ["day"]})
        assert [(n.asset, n.partition) for n in bad] == [("docs", "2026-11-02")]
        assert bad[0].problem


SQL_MODEL = """/* ---
description: Tokens per day and source.
partitioning: daily
--- */
select day, source, cast(sum(n) as bigint) as tokens from {{ ref('docs') }} group by day, source
"""
RANGE_START, RANGE_END = "dagster/asset_partition_range_start", "dagster/asset_partition_range_end"


def _sql_model_setup(tmp_path):
    from platform_assets.analytics.sql_models import build_all
    from platform_assets.partitions import DAILY_METADATA, daily_partitions
    from resources.duckdb_engine import DuckDBEngine

    @dg.asset(name="docs", partitions_def=daily_partitions, metadata=DAILY_METADATA,
              io_manager_key="lance_io_manager")
    def daily_docs(context: dg.AssetExecutionContext) -> pa.Table:
        n = 3 if context.partition_key.endswith(("0", "2", "4", "6", "8")) else 4
        return pa.table({"source": ["a", "b", "a", "b"][:n], "n": list(range(n))})

    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "tokens.sql").write_text(SQL_MODEL)
    models, _ = build_all(tmp_path / "models")
    lake = str(tmp_path / "lake")
    resources = {"lance_io_manager": LanceIOManager(root_uri=lake), "sql_engine": DuckDBEngine(root_uri=lake)}
    return [daily_docs, *models], resources, daily_partitions.get_partition_keys()[-2:]


def test_a_daily_sql_model_run_over_a_range_verifies_per_day_and_lists_its_inputs(tmp_path):
    assets, resources, (day1, day2) = _sql_model_setup(tmp_path)
    io = resources["lance_io_manager"]
    with dg.instance_for_test() as instance:
        def run(selection, **kw):
            result = dg.materialize(assets, selection=selection, instance=instance, resources=resources, **kw)
            assert result.success

        run(["docs"], partition_key=day1)
        run(["docs"], partition_key=day2)
        run(["tokens"], tags={RANGE_START: day1, RANGE_END: day2})  # one run, as `maslow backfill` does
        run(["docs"], partition_key=day1)  # a newer docs version the model did not read
        columns = {"docs": ["day"], "tokens": ["day"]}
        for day in (day1, day2):
            tree = audit.audit(instance, "tokens", partition=day)
            rows = io.open(dg.AssetKey("tokens")).to_table(filter=f"day = '{day}'").num_rows
            assert tree.partition_row_count == rows == 2
            assert audit.verify(tree, io, columns) == [], audit.render(tree)
            assert {(n.asset, n.partition): n.lance_version for n in tree.inputs} == {
                ("docs", day1): 2, ("docs", day2): 3}
        meta = audit._meta(audit.latest_record(instance, dg.AssetKey("tokens"), day1))
        assert meta["inputs/docs/lance_version"] == 3
        assert io.open(dg.AssetKey("docs"), meta["inputs/docs/lance_tag"]).version == 3

        tokens = io.open(dg.AssetKey("tokens"))
        frag = next(f for f in tokens.get_fragments() if f.count_rows(f"day = '{day2}'"))
        data_file = tmp_path / "lake" / "tokens.lance" / "data" / frag.data_files()[0].path
        raw = bytearray(data_file.read_bytes())
        raw[100:400] = bytes(300)
        data_file.write_bytes(bytes(raw))
        bad = audit.verify(audit.audit(instance, "tokens", partition=day2), io, columns)
        assert [(n.asset, n.partition) for n in bad] == [("tokens", day2)]


def test_each_partition_shows_its_own_row_count_and_zero_is_zero():
    def node(partition, rows, partition_rows):
        return audit.AuditNode("docs", partition, 3, "run12345", None, None, rows, partition_rows,
                               "2026-11-02T00:00:00+00:00", None, None)

    root = node(None, 7, None)
    root.inputs = [node("2026-11-01", 7, 0), node("2026-11-02", 7, 7), node("2026-11-03", 7, None)]
    lines = audit.render(root).splitlines()
    assert "rows 7 " in lines[0]
    assert "rows 0 " in lines[1] and "rows 7 " in lines[2] and "rows ? (dataset 7) " in lines[3]
