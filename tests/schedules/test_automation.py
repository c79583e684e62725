"""Declarative automation on the real asset graph: after a nightly day, what reads it follows, once.

Materializations are reported to a test instance (the conditions only read the event log); the end-to-end
test runs the same sequence on demo data.
"""

import dagster as dg
import pytest

from platform_assets.definitions import defs
from platform_assets.partitions import daily_partitions
from platform_assets.policies import is_optional
from schedules.jobs import daily_asset_keys

GRAPH = defs.resolve_asset_graph()
DAY = daily_partitions.get_last_partition_key()
BEFORE = daily_partitions.get_partition_keys()[-2]


def _partitions(key: dg.AssetKey, day: str) -> list[str | None]:
    part = GRAPH.get(key).partitions_def
    if part is None:
        return [None]
    return [day] if part == daily_partitions else list(part.get_partition_keys())


def _report(instance: dg.DagsterInstance, requested: dict[dg.AssetKey, set]) -> None:
    for key in GRAPH.toposorted_asset_keys:
        for partition in sorted(requested.get(key, ())):
            instance.report_runless_asset_event(dg.AssetMaterialization(asset_key=key, partition=partition))


def _requested(result) -> dict[dg.AssetKey, set]:
    return {k: set(p) for k in GRAPH.materializable_asset_keys if (p := result.get_requested_partitions(k))}


@pytest.fixture
def graph_built_the_day_before():
    """Every asset materialized as of the day before DAY; only that day of the daily assets exists."""
    keys = [k for k in GRAPH.materializable_asset_keys if not is_optional(GRAPH.get(k))]
    with dg.instance_for_test() as instance:
        _report(instance, {k: set(_partitions(k, BEFORE)) for k in keys})
        first = dg.evaluate_automation_conditions(defs, instance)
        assert first.total_requested == 0
        yield instance, first.cursor


def test_a_nightly_day_brings_contamination_classifications_then_mixtures_once(graph_built_the_day_before):
    instance, cursor = graph_built_the_day_before
    chain = daily_asset_keys(list(defs.assets))
    _report(instance, {k: {DAY} for k in chain})  # what the nightly run materializes

    tick = dg.evaluate_automation_conditions(defs, instance, cursor=cursor)
    requested = _requested(tick)
    assert requested[dg.AssetKey("contamination")] == {DAY}
    assert requested[dg.AssetKey("document_classifications")] == {DAY}
    daily = {k: p for k, p in requested.items() if GRAPH.get(k).partitions_def == daily_partitions}
    assert all(p == {DAY} for p in daily.values()) and not set(requested) & set(chain)
    # New clean documents are new seeds: each synthetics spec's partition follows once, like a mixture's.
    others = {k: p for k, p in requested.items() if k not in daily}
    assert set(others) <= {dg.AssetKey("preference_pairs"), dg.AssetKey("rejected_pairs")}, others
    assert all(p == set(GRAPH.get(k).partitions_def.get_partition_keys()) for k, p in others.items())
    # Dagster co-requests a child only when it can run in the same run: mixtures waits for the day's runs.
    assert dg.AssetKey("mixtures") not in requested

    _report(instance, requested)  # the day's automation runs succeed
    tick = dg.evaluate_automation_conditions(defs, instance, cursor=tick.cursor)
    requested = _requested(tick)
    assert requested[dg.AssetKey("mixtures")] == set(_partitions(dg.AssetKey("mixtures"), DAY))
    assert requested[dg.AssetKey("contamination_report")] == {None}
    assert dg.AssetKey("quality_model") not in requested  # trained once, then on purpose

    _report(instance, requested)
    after = dg.evaluate_automation_conditions(defs, instance, cursor=tick.cursor)
    # the analytics panel over the mixtures follows them in the next tick; then everything is settled
    assert _requested(after) == {dg.AssetKey("mixture_composition"): {None}}
    _report(instance, _requested(after))
    settled = dg.evaluate_automation_conditions(defs, instance, cursor=after.cursor)
    assert settled.total_requested == 0, _requested(settled)


def test_a_fresh_install_trains_the_quality_model_once():
    """Never trained: the first tick after a day lands requests it; once trained, never again by itself."""
    chain = daily_asset_keys(list(defs.assets))
    model = dg.AssetKey("quality_model")
    with dg.instance_for_test() as instance:
        first = dg.evaluate_automation_conditions(defs, instance)
        assert model not in _requested(first)  # no clean documents to train on yet
        _report(instance, {k: {DAY} for k in chain})
        tick = dg.evaluate_automation_conditions(defs, instance, cursor=first.cursor)
        assert _requested(tick).get(model) == {None}
        _report(instance, {model: {None}})
        for _ in range(2):
            tick = dg.evaluate_automation_conditions(defs, instance, cursor=tick.cursor)
            assert model not in _requested(tick)
            _report(instance, _requested(tick))


def test_nothing_follows_while_the_day_is_not_there(graph_built_the_day_before):
    instance, cursor = graph_built_the_day_before
    _report(instance, {dg.AssetKey("raw_documents"): {DAY}})  # the nightly run is only halfway
    tick = dg.evaluate_automation_conditions(defs, instance, cursor=cursor)
    assert not {dg.AssetKey(k) for k in ("mixtures", "contamination", "document_classifications")} & set(
        _requested(tick))


def test_the_conditions_still_wait_for_inputs_in_progress():
    labels = _labels(GRAPH.get(dg.AssetKey("mixtures")).automation_condition)
    assert {"eager", "latest_deps_missing", "any_deps_in_progress", "in_progress"} <= labels
    assert "any_deps_missing" not in labels


def _labels(condition: dg.AutomationCondition) -> set[str]:
    return {condition.get_label() or condition.name} | {
        label for child in condition.children for label in _labels(child)}
