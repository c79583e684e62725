"""Declarative automation: what depends on the daily chain follows it when it updates."""

from __future__ import annotations

from collections.abc import Sequence

import dagster as dg

from platform_assets import spec_versions
from platform_assets.policies import is_optional


def latest_deps_missing() -> dg.AutomationCondition:
    """Some input is missing (and not requested on this tick), counting a daily input only in its latest day.

    Days without landed data are never materialized, so Dagster's `any_deps_missing` would hold back an asset
    that reads every day (`mixtures`, `quality_model`, `contamination_report`) forever. For an input that is
    not time-partitioned, and for a daily asset reading its own day, this is `any_deps_missing` unchanged.
    The spec files (spec_versions' external assets) never count as missing: a partition exists because its
    file does, observed or not yet.
    """
    return dg.AutomationCondition.any_deps_match(
        dg.AutomationCondition.missing()
        & dg.AutomationCondition.in_latest_time_window()
        & ~dg.AutomationCondition.will_be_requested()
    ).ignore(dg.AssetSelection.assets(*spec_versions.KEYS)).with_label("latest_deps_missing")


def follow_upstream(assets: Sequence[dg.AssetsDefinition], daily: Sequence[dg.AssetKey]) -> list:
    """Gives every non-daily, non-optional asset without its own condition `AutomationCondition.eager()`.

    The nightly schedule drives the daily chain; the automation sensor then requests the mixtures,
    analytics and reports whose inputs changed, once those inputs are all up to date. In every condition
    (an asset's own too), `any_deps_missing` becomes `latest_deps_missing`.
    """
    daily_set = set(daily)

    def apply(spec: dg.AssetSpec) -> dg.AssetSpec:
        if spec.key in daily_set or is_optional(spec):
            return spec
        condition = spec.automation_condition or dg.AutomationCondition.eager()
        return spec.replace_attributes(
            automation_condition=condition.replace("any_deps_missing", latest_deps_missing())
        )

    return [a.map_asset_specs(apply) if isinstance(a, dg.AssetsDefinition) and a.is_executable else a
            for a in assets]
