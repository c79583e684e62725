"""`lake_gc`: weekly, off by default, the same garbage collection as `maslow gc` (resources/lance_gc.py)."""

# Annotations stay eager (no `from __future__ import annotations`): Dagster resolves the Config type.

import os

import dagster as dg

from platform_assets import settings
from resources.lance_gc import DEFAULT_RETENTION_DAYS, collect
from resources.lance_io_manager import LanceIOManager


class GcConfig(dg.Config):
    retention_days: float = DEFAULT_RETENTION_DAYS


def lake_gc_job(asset_keys: list[dg.AssetKey]) -> dg.JobDefinition:
    @dg.op(name="remove_old_lance_versions")
    def lake_gc_op(context: dg.OpExecutionContext, config: GcConfig) -> None:
        """Re-tags every version a materialization recorded, then removes old untagged versions."""
        io = LanceIOManager(root_uri=settings.lake_uri())
        report = collect(context.instance, io, asset_keys, config.retention_days)
        context.log.info(f"lake gc: {report}")

    @dg.job(name="lake_gc")
    def job() -> None:
        lake_gc_op()

    return job


def lake_gc_schedule(job: dg.JobDefinition) -> dg.ScheduleDefinition:
    """Sundays 03:00 (`MASLOW_GC_CRON`); stopped until turned on in the UI."""
    return dg.ScheduleDefinition(name="lake_gc_weekly", job=job,
                                 cron_schedule=os.environ.get("MASLOW_GC_CRON", "0 3 * * 0"),
                                 default_status=dg.DefaultScheduleStatus.STOPPED)
