"""The `spec_versions` sensor: records a spec file's (or a landed day's source entries') new version."""

from __future__ import annotations

from collections.abc import Sequence

import dagster as dg

from platform_assets import spec_versions


def spec_versions_sensor(keys: Sequence[str]) -> dg.SensorDefinition:
    """Observes the external spec assets `keys` (spec_versions) every 30 s; only changed partitions are
    recorded, so the UI shows a partition stale (Unsynced) as soon as the spec it reads is edited."""

    @dg.sensor(name="spec_versions", minimum_interval_seconds=30,
               default_status=dg.DefaultSensorStatus.RUNNING,
               description="Records a new data version for each spec file (and each landed day's "
               "sources.yaml entries) that changed, so exactly the partitions reading it show stale.")
    def _sensor(context: dg.SensorEvaluationContext):
        found = spec_versions.observations(context.instance, set(keys))
        if not found:
            return dg.SkipReason("no spec changed")
        context.log.info(f"{len(found)} spec version(s) changed: "
                         + ", ".join(f"{o.asset_key.to_user_string()}[{o.partition}]" for o in found[:10]))
        return dg.SensorResult(asset_events=found)

    return _sensor
