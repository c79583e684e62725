"""Declarative automation: what depends on the daily chain follows it when it updates."""

from __future__ import annotations

from collections.abc import Sequence

import dagster as dg

from platform_assets.policies import is_optional


def follow_upstream(assets: Sequence[dg.AssetsDefinition], daily: Sequence[dg.AssetKey]) -> list:
    """Gives every non-daily, non-optional asset without its own condition `AutomationCondition.eager()`.

    The nightly schedule drives the daily chain; the automation sensor then requests the mixtures,
    analytics and reports whose inputs changed, once those inputs are all up to date.
    """
    daily_set = set(daily)

    def apply(spec: dg.AssetSpec) -> dg.AssetSpec:
        if spec.key in daily_set or spec.automation_condition is not None or is_optional(spec):
            return spec
        return spec.replace_attributes(automation_condition=dg.AutomationCondition.eager())

    return [a.map_asset_specs(apply) if isinstance(a, dg.AssetsDefinition) else a for a in assets]
