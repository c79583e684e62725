"""`maslow status` on a small inline graph: Dagster's own stale causes, propagated to what reads them."""

import dagster as dg

from platform_assets.cli.lineage.status import status

PARTS = dg.StaticPartitionsDefinition(["x", "y"])


def graph(code_version: str) -> dg.Definitions:
    @dg.asset(partitions_def=PARTS, code_version=code_version)
    def a() -> None: ...

    @dg.asset(partitions_def=PARTS, deps=[a], code_version="1")
    def b() -> None: ...

    @dg.asset(deps=[dg.AssetDep(b, partition_mapping=dg.AllPartitionMapping())], code_version="1")
    def c() -> None: ...

    @dg.asset(code_version="1")
    def other() -> None: ...

    return dg.Definitions(assets=[a, b, c, other])


def test_a_new_code_version_shows_its_asset_and_everything_downstream_stale():
    with dg.instance_for_test() as instance:
        before = graph("1")
        job = before.resolve_implicit_global_asset_job_def()
        for part in ("x", "y"):
            assert job.execute_in_process(partition_key=part, instance=instance, asset_selection=[
                dg.AssetKey("a"), dg.AssetKey("b")]).success
        assert job.execute_in_process(instance=instance, asset_selection=[
            dg.AssetKey("c"), dg.AssetKey("other")]).success
        assert all(not row.stale for row in status(instance, before))

        rows = {row.asset: row for row in status(instance, graph("2"))}
        assert rows["a"].materialized == ["x", "y"]
        assert rows["a"].stale == {"x": ["has a new code version"], "y": ["has a new code version"]}
        assert rows["b"].stale == {"x": ["upstream a is stale"], "y": ["upstream a is stale"]}
        assert rows["c"].stale == {"": ["upstream b is stale"]}
        assert rows["other"].stale == {}


def test_render_groups_partitions_by_cause_and_fits_the_width():
    from platform_assets.cli.lineage.status import AssetStatus, render, summarize

    stale = {f"2026-01-0{d}": ["code version changed", "upstream raw_documents is stale"] for d in (1, 2, 3)}
    stale["2026-01-05"] = ["new input data"]
    assert summarize(stale) == ("2026-01-01..2026-01-03 (3): code version changed, upstream raw_documents is "
                                "stale; 2026-01-05: new input data")
    row = AssetStatus(asset="clean_documents", group="clean", partitions_total=5,
                      materialized=["2026-01-01"], missing=False, stale=stale)
    line = render([row], width=80).splitlines()[1]
    assert len(line) == 80 and line.endswith("…")
    assert "new input data" in render([row]).splitlines()[1]
