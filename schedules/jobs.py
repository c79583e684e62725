"""The daily chain: every asset partitioned by day, refreshed together one day at a time."""

from __future__ import annotations

from collections.abc import Sequence

import dagster as dg

from platform_assets.partitions import daily_partitions

DAILY_JOB = "daily_refresh"


def daily_asset_keys(assets: Sequence[dg.AssetsDefinition]) -> list[dg.AssetKey]:
    return [k for a in assets if a.partitions_def == daily_partitions for k in a.keys]


def daily_refresh_job(keys: Sequence[dg.AssetKey]) -> dg.UnresolvedAssetJobDefinition:
    return dg.define_asset_job(
        DAILY_JOB, selection=dg.AssetSelection.assets(*keys),
        description="Ingest one landed day and update every daily asset for it (clean, eval, classify).",
        tags={"maslow/job": "daily_refresh"},
    )
