"""What `maslow status` reports stale for one asset of a small graph (the spec tests share it)."""

from __future__ import annotations

import dagster as dg

from platform_assets.cli.lineage.status import status


def stale(instance: dg.DagsterInstance, assets: list, resources: dict, asset: str) -> dict[str, list[str]]:
    """`{partition: causes}` of `asset`'s stale partitions, after recording the spec files' versions."""
    defs = dg.Definitions(assets=assets, resources=resources)
    return next(row.stale for row in status(instance, defs) if row.asset == asset)
