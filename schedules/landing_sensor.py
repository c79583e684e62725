"""A sensor on the landing folder: launches a day's partition when new files land there."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import dagster as dg

from platform_assets import settings
from platform_assets.partitions import daily_partitions


def landed_files(landing: Path) -> dict[str, dict[str, float]]:
    """`{day: {relative path: mtime}}` for `<landing>/<source>/<YYYY-MM-DD>/*`; `_`-folders skipped."""
    days: dict[str, dict[str, float]] = defaultdict(dict)
    if not landing.is_dir():
        return {}
    for source in sorted(p for p in landing.iterdir() if p.is_dir() and not p.name.startswith(("_", "."))):
        for day_dir in sorted(
            p for p in source.iterdir() if p.is_dir() and not p.name.startswith(("_", "."))
        ):
            for f in sorted(day_dir.iterdir()):
                if f.is_file() and not f.name.startswith("."):
                    days[day_dir.name][str(f.relative_to(landing))] = f.stat().st_mtime
    return dict(days)


def _folders(path: Path) -> list[Path]:
    return sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))


def new_files(
    landed: dict[str, dict[str, float]], seen: dict[str, float], ingested_at: dict[str, float | None]
) -> dict[str, list[str]]:
    """Per day, the files not yet ingested: unseen by the cursor and newer than the day's last ingestion."""
    out: dict[str, list[str]] = {}
    for day, files in landed.items():
        last = ingested_at.get(day)
        fresh = [f for f, mtime in files.items() if seen.get(f) != mtime and (last is None or mtime > last)]
        if fresh:
            out[day] = sorted(fresh)
    return out


def landing_sensor(job: dg.UnresolvedAssetJobDefinition) -> dg.SensorDefinition:
    @dg.sensor(
        job=job,
        name="landing_sensor",
        minimum_interval_seconds=30,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Launches a day of the daily chain when files land in <landing>/<source>/<day>/.",
    )
    def _sensor(context: dg.SensorEvaluationContext):
        seen: dict[str, float] = json.loads(context.cursor) if context.cursor else {}
        landed = landed_files(settings.landing_dir())
        valid = set(daily_partitions.get_partition_keys())
        ingested_at = {day: _last_ingestion(context.instance, day) for day in landed if day in valid}
        todo = new_files({d: f for d, f in landed.items() if d in valid}, seen, ingested_at)
        for day, files in sorted(todo.items()):
            stamp = max(landed[day][f] for f in files)
            yield dg.RunRequest(
                partition_key=day,
                run_key=f"{day}:{len(files)}:{stamp}",
                tags={"maslow/new_files": str(len(files))},
            )
        for day in set(landed) - valid:
            context.log.warning(f"landing folder for {day} is outside the daily partitions; not ingested")
        seen.update({f: m for files in landed.values() for f, m in files.items()})
        context.update_cursor(json.dumps(seen, sort_keys=True))

    return _sensor


def _last_ingestion(instance: dg.DagsterInstance, day: str) -> float | None:
    flt = dg.AssetRecordsFilter(asset_key=dg.AssetKey("raw_documents"), asset_partitions=[day])
    records = instance.fetch_materializations(flt, limit=1).records
    return records[0].timestamp if records else None
