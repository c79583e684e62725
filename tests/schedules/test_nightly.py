"""The nightly tick requests the day that has just ended in MASLOW_TIMEZONE, east or west of UTC."""

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import pytest
from dagster._core.test_utils import freeze_time

from schedules.nightly import nightly_schedule

REPO = Path(__file__).resolve().parents[2]


def _tick(partitions: dg.DailyPartitionsDefinition, tick: datetime) -> dg.RunRequest | dg.SkipReason:
    """Evaluates the nightly schedule at `tick`, with the clock frozen there as the daemon would see it."""

    @dg.asset(partitions_def=partitions)
    def raw_documents() -> None: ...

    job = dg.define_asset_job("daily_refresh", selection=[raw_documents])
    schedule = nightly_schedule(job, partitions)
    defs = dg.Definitions(assets=[raw_documents], jobs=[job], schedules=[schedule])
    # The context opens its own handle on the instance; closing it before the instance keeps
    # Dagster's per-process state storage from pointing at a disposed instance afterwards.
    with freeze_time(tick), dg.instance_for_test() as instance, dg.build_schedule_context(
        instance=instance, scheduled_execution_time=tick, repository_def=defs.get_repository_def()
    ) as context:
        result = schedule.evaluate_tick(context)
    return result.run_requests[0] if result.run_requests else dg.SkipReason(result.skip_message)


@pytest.mark.parametrize("zone", ["Asia/Tokyo", "Pacific/Kiritimati", "UTC", "America/Los_Angeles"])
def test_the_0200_tick_requests_the_previous_local_day(zone):
    partitions = dg.DailyPartitionsDefinition(start_date="2026-01-01", timezone=zone)
    request = _tick(partitions, datetime(2026, 3, 10, 2, 0, tzinfo=ZoneInfo(zone)))
    assert isinstance(request, dg.RunRequest), request
    assert (request.partition_key, request.run_key) == ("2026-03-09", "nightly:2026-03-09")


def test_the_schedule_runs_in_the_partitions_timezone():
    partitions = dg.DailyPartitionsDefinition(start_date="2026-01-01", timezone="Asia/Tokyo")
    schedule = nightly_schedule(dg.define_asset_job("daily_refresh"), partitions)
    assert (schedule.execution_timezone, schedule.cron_schedule) == ("Asia/Tokyo", "0 2 * * *")


def test_a_tick_before_the_first_partition_is_skipped():
    partitions = dg.DailyPartitionsDefinition(start_date="2026-03-10", timezone="Asia/Tokyo")
    result = _tick(partitions, datetime(2026, 3, 10, 2, 0, tzinfo=ZoneInfo("Asia/Tokyo")))
    assert isinstance(result, dg.SkipReason) and "2026-03-09" in result.skip_message


def test_maslow_timezone_sets_the_partitions_and_the_schedule(tmp_path):
    # A fresh interpreter: the daily partitions are built from the environment at import.
    code = (
        "from platform_assets.partitions import daily_partitions as p; "
        "from schedules.nightly import nightly_schedule; import dagster as dg; "
        "s = nightly_schedule(dg.define_asset_job('daily_refresh')); "
        "print(p.timezone, s.execution_timezone, p.get_first_partition_key())"
    )
    env = {**os.environ, "MASLOW_TIMEZONE": "Asia/Tokyo", "MASLOW_HOME": str(tmp_path)}
    env.pop("MASLOW_START_DATE", None)
    env.pop("MASLOW_LANDING", None)
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=120, check=True)
    assert done.stdout.split() == ["Asia/Tokyo", "Asia/Tokyo", "2026-01-01"]
