"""Jobs, schedules and sensors, derived from the asset list. No business logic here."""

from __future__ import annotations

from collections.abc import Sequence

import dagster as dg

from schedules.automation import follow_upstream
from schedules.gc import lake_gc_job, lake_gc_schedule
from schedules.jobs import daily_asset_keys, daily_refresh_job
from schedules.labels_sensor import label_import_job, labels_sensor
from schedules.landing_sensor import landing_sensor
from schedules.nightly import nightly_schedule
from schedules.spec_sensor import spec_versions_sensor


def build(assets: Sequence[dg.AssetsDefinition]) -> dict:
    """Keyword arguments for `dg.Definitions`: the assets (with automation applied) and the automation."""
    daily = daily_asset_keys(assets)
    job = daily_refresh_job(daily)
    labels_job = label_import_job()
    gc = lake_gc_job([k for a in assets if a.is_executable for k in a.keys])
    return {
        "assets": follow_upstream(assets, daily),
        "jobs": [job, labels_job, gc],
        "schedules": [nightly_schedule(job), lake_gc_schedule(gc)],
        "sensors": [
            landing_sensor(job),
            spec_versions_sensor([k.to_user_string() for a in assets if not a.is_executable for k in a.keys]),
            labels_sensor(labels_job),
            dg.AutomationConditionSensorDefinition(
                "maslow_automation", target=dg.AssetSelection.all(),
                default_status=dg.DefaultSensorStatus.RUNNING, minimum_interval_seconds=60,
            ),
        ],
    }
