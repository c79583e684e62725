"""The daily chain: every asset partitioned by day, refreshed together one day at a time."""

from __future__ import annotations

from collections.abc import Sequence

import dagster as dg

from platform_assets.partitions import daily_partitions
from platform_assets.policies import is_optional

DAILY_JOB = "daily_refresh"


def daily_asset_keys(assets: Sequence[dg.AssetsDefinition]) -> list[dg.AssetKey]:
    """The daily chain: daily assets all of whose upstream assets are in the chain too.

    A daily asset that also reads a non-daily one (contamination reads the eval n-gram index,
    classifications read the quality model) is left to declarative automation, which runs it once
    both its daily input and that other input are there. Optional assets (`maslow/optional` tag) are
    never in the chain; the external spec assets (spec_versions) are inputs, never run.
    """
    daily = {s.key for a in assets if a.partitions_def == daily_partitions and a.is_executable
             for s in a.specs if not is_optional(s)}
    external = {k for a in assets if not a.is_executable for k in a.keys}  # spec files: always there
    deps = {k: set(d) - external for a in assets for k, d in a.asset_deps.items()}
    chain: set[dg.AssetKey] = set()
    changed = True
    while changed:
        changed = False
        for key in daily - chain:
            if deps.get(key, set()) <= chain:
                chain.add(key)
                changed = True
    return sorted(chain, key=lambda k: k.to_user_string())


def daily_refresh_job(keys: Sequence[dg.AssetKey]) -> dg.UnresolvedAssetJobDefinition:
    return dg.define_asset_job(
        DAILY_JOB, selection=dg.AssetSelection.assets(*keys),
        description="Ingest one landed day and update every daily asset for it (clean, eval, classify).",
        tags={"maslow/job": "daily_refresh"},
    )
