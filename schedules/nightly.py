"""The nightly refresh: at 02:00 (configurable) the previous day's partition of the daily chain."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import dagster as dg

from platform_assets import settings
from platform_assets.partitions import daily_partitions


def previous_day(tick: datetime, partitions: dg.TimeWindowPartitionsDefinition) -> str:
    """The day before `tick`, in the partitions' timezone: the last day that has ended there."""
    return (tick.astimezone(ZoneInfo(partitions.timezone)).date() - timedelta(days=1)).isoformat()


def nightly_schedule(
    job: dg.UnresolvedAssetJobDefinition, partitions: dg.TimeWindowPartitionsDefinition = daily_partitions
) -> dg.ScheduleDefinition:
    """`MASLOW_NIGHTLY_CRON` (default `0 2 * * *`) in `MASLOW_TIMEZONE` (default UTC); on by default.

    Each tick requests the day before the tick; downstream assets follow by automation. The schedule runs in
    the timezone of the daily partitions (`MASLOW_TIMEZONE` sets both), so that day has always ended as a
    partition when the tick comes, east or west of UTC.
    """

    @dg.schedule(
        job=job, name="nightly_refresh", cron_schedule=settings.current().nightly_cron,
        execution_timezone=partitions.timezone, default_status=dg.DefaultScheduleStatus.RUNNING,
        description="Nightly: ingest and clean the previous day; downstream assets follow by automation.",
    )
    def _nightly(context: dg.ScheduleEvaluationContext):
        day = previous_day(context.scheduled_execution_time, partitions)
        if not partitions.has_partition_key(day):
            return dg.SkipReason(f"{day} is not a daily partition (before MASLOW_START_DATE?)")
        return dg.RunRequest(partition_key=day, run_key=f"nightly:{day}")

    return _nightly
