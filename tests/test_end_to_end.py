"""The whole platform on demo data: nightly tick, every asset, then audit, trace and status.

One demo landing folder (3 days) is built once for the module; the graph runs on it as `make demo` does.
"""

import json
import os
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.integration]


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    home = tmp_path_factory.mktemp("maslow")
    saved = {k: os.environ.get(k) for k in ("MASLOW_HOME", "DAGSTER_HOME", "MASLOW_LAKE", "MASLOW_LANDING")}
    os.environ.update(MASLOW_HOME=str(home), DAGSTER_HOME=str(home / "dagster"))
    os.environ.pop("MASLOW_LAKE", None)
    os.environ.pop("MASLOW_LANDING", None)
    from platform_assets import settings
    from platform_assets.cli.dagster_home import ensure_dagster_home
    from platform_assets.cli.demo_data import generate, load_truth
    from platform_assets.definitions import build_defs

    ensure_dagster_home(settings.dagster_home())
    generate(settings.landing_dir(), 3, 0)
    truth = load_truth(settings.landing_dir(), 0)
    defs = build_defs()  # resources bound to this test's MASLOW_HOME
    with dg.instance_for_test(temp_dir=str(home / "dagster")) as instance:
        yield defs, instance, truth, settings.lake_uri()
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def test_nightly_tick_materializes_exactly_the_previous_day(platform):
    from platform_assets.partitions import daily_partitions

    defs, instance, truth, _ = platform
    last = truth["days"][-1]
    tick = datetime.combine(date.fromisoformat(last) + timedelta(days=1), time(2),
                            ZoneInfo(daily_partitions.timezone))
    schedule = defs.resolve_schedule_def("nightly_refresh")
    # Contexts are closed with `with`: each opens its own handle on the instance.
    with dg.build_schedule_context(instance=instance, scheduled_execution_time=tick,
                                   repository_def=defs.get_repository_def()) as context:
        request = schedule.evaluate_tick(context).run_requests[0]
    assert request.partition_key == last
    job = defs.resolve_job_def("daily_refresh")
    result = job.execute_in_process(partition_key=request.partition_key, instance=instance,
                                    run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}})
    assert result.success
    daily = {k for k in job.asset_layer.executable_asset_keys}
    names = {k.to_user_string() for k in daily}
    assert {"raw_documents", "clean_documents", "rejected_documents", "heldout_documents"} <= names
    assert not names & {"contamination", "document_classifications", "mixtures"}  # these follow by automation
    for key in daily:
        assert instance.get_materialized_partitions(key) == {last}, key
    # the landing sensor, even with no cursor, asks only for the days not ingested yet
    sensor = defs.resolve_sensor_def("landing_sensor")
    with dg.build_sensor_context(instance=instance, repository_def=defs.get_repository_def()) as context:
        asked = sensor.evaluate_tick(context)
    assert sorted(r.partition_key for r in asked.run_requests) == sorted(truth["days"][:-1])


def test_every_asset_then_audit_trace_and_status(platform):
    from platform_assets.cli.lineage import audit, status, trace
    from platform_assets.cli.lineage.commands import partition_columns
    from platform_assets.cli.runner import run_graph
    from resources.lance_io_manager import LanceIOManager

    defs, instance, truth, lake = platform
    results = run_graph(defs, instance, truth["days"])
    failed = [(e.asset_key.to_user_string(), e.check_name) for r in results
              for e in r.get_asset_check_evaluations()
              if not e.passed and e.severity == dg.AssetCheckSeverity.ERROR]
    assert failed == []

    import lance

    from platform_assets.cli.demo_data.eval_plants import TRUTH_KEY, missing_plants

    contamination = lance.dataset(f"{lake}/contamination.lance").to_table()
    assert truth[TRUTH_KEY] and missing_plants(truth[TRUTH_KEY], contamination) == []

    tree = audit.audit(instance, "mixtures", "broad_pretrain")
    mixture = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=dg.AssetKey("mixtures"), asset_partitions=["broad_pretrain"]), limit=1
    ).records[0].asset_materialization.metadata
    pinned = {k.split("/")[1]: v.value for k, v in mixture.items() if k.endswith("/lance_version")}
    assert {(n.asset, n.lance_version) for n in tree.inputs if n.asset in pinned} >= {
        (a, v) for a, v in pinned.items() if a in {"clean_documents", "document_classifications"}}
    assert tree.spec_hash and all(n.run_id for n in tree.walk())
    io = LanceIOManager(root_uri=lake)
    assert audit.verify(tree, io, partition_columns(defs)) == []

    pair = truth["exact_duplicates"][0]
    ids = [pair["original"]["doc_id"], pair["copies"][0]["doc_id"]]
    found = {i: trace.trace(lake, i) for i in ids}
    rejected = [i for i in ids if "rejected_documents" in found[i]]
    assert len(rejected) == 1, json.dumps(found, default=str)[:2000]
    row = found[rejected[0]]["rejected_documents"][0]
    assert (row["stage"], row["reason"]) == ("dedup", "exact_duplicate")
    assert row["duplicate_of"] in ids and "raw_documents" in found[rejected[0]]
    kept = [i for i in ids if i not in rejected][0]
    assert "clean_documents" in found[kept]

    rows = {r.asset: r for r in status.status(instance, defs)}
    assert rows["clean_documents"].materialized == sorted(truth["days"])
    assert not rows["mixtures"].missing


def test_automation_follows_a_nightly_day_once(platform):
    """After the nightly run of a day, the automation sensor's conditions request the day's contamination and
    classifications and the mixtures, each exactly once, then nothing. (A mixture is requested with a
    day's contamination when that day was there before: Dagster then emits one backfill, which runs the
    mixtures after their inputs; on a new day it waits for the day's runs.)"""
    from collections import Counter

    from platform_assets.cli.runner import run_graph

    defs, instance, truth, _ = platform
    last = truth["days"][-1]
    if not instance.get_materialized_partitions(dg.AssetKey("mixtures")):  # run alone: build the graph first
        run_graph(defs, instance, truth["days"])
    tick = dg.evaluate_automation_conditions(defs, instance)
    assert tick.total_requested == 0

    quiet = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}
    job = defs.resolve_job_def("daily_refresh")
    assert job.execute_in_process(partition_key=last, instance=instance, run_config=quiet).success  # nightly

    graph = defs.resolve_asset_graph()
    asked: Counter = Counter()
    for _ in range(4):
        tick = dg.evaluate_automation_conditions(defs, instance, cursor=tick.cursor)
        requested = {k: p for k in graph.materializable_asset_keys if (p := tick.get_requested_partitions(k))}
        if not requested:
            break
        asked.update((k.to_user_string(), p) for k, parts in requested.items() for p in parts)
        run_graph(defs, instance, [last], only=set(requested))  # the requested runs, parents first
    assert not requested, requested
    assert asked[("contamination", last)] == asked[("document_classifications", last)] == 1
    specs = graph.get(dg.AssetKey("mixtures")).partitions_def.get_partition_keys()
    assert [asked[("mixtures", spec)] for spec in specs] == [1] * len(specs)
    assert max(asked.values()) == 1 and not {a for a, _ in asked} & {k.to_user_string() for k in
                                                                      job.asset_layer.executable_asset_keys}
