"""A sensor on the landing folder: launches a day's partition when new files land there."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg

from platform_assets import settings
from platform_assets import spec_isolation as isolation
from platform_assets.clean.raw_documents import landed_version
from platform_assets.partitions import daily_partitions
from platform_assets.processors import ingest_partition
from platform_assets.processors.media.ingest import MediaPartition
from platform_assets.processors.sources import SOURCES_FILE, load_sources

Stamp = list[int]  # [size, mtime_ns]: a list, so it compares equal after a JSON round trip


def landed_files(landing: Path) -> dict[str, dict[str, Stamp]]:
    """`{day: {relative path: [size, mtime_ns]}}`: per day folder, exactly the files ingestion reads."""
    days = {}
    for day in settings.landed_days(landing):
        files = ingest_partition.landed_files(landing, day)
        if files:
            days[day] = {f.relative_to(landing).as_posix(): stamp(f) for _, f in files}
    return days


def stamp(path: Path) -> Stamp:
    """A file's (size, mtime_ns): what the sensors' cursors compare to see a file new or changed."""
    st = path.stat()
    return [st.st_size, st.st_mtime_ns]


def new_files(landed: dict[str, dict[str, Stamp]], seen: dict[str, Stamp]) -> dict[str, list[str]]:
    """Per day, the files whose (path, size, mtime) the cursor has not seen: new, replaced or rewritten.

    The mtime is compared for equality only: a late file keeps an old mtime when copied with `rsync -a`
    or moved in, and must still count.
    """
    out: dict[str, list[str]] = {}
    for day, files in landed.items():
        fresh = sorted(f for f, stamp in files.items() if seen.get(f) != stamp)
        if fresh:
            out[day] = fresh
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
        """A day with unseen files is requested unless raw_documents (and raw_media, for media files) already
        hold exactly its current files (same data versions: ingested by the nightly, a backfill, or before
        the cursor was lost). The run key
        is the day and that data version, so one set of files is never launched twice. Days that are not
        partitions yet (today) stay out of the cursor, so their files count once the day is over.
        """
        seen: dict[str, Stamp] = json.loads(context.cursor) if context.cursor else {}
        landing = settings.landing_dir()
        valid = set(daily_partitions.get_partition_keys())
        landed = {day: files for day, files in landed_files(landing).items() if day in valid}
        sources = isolation.guard(settings.spec_dir() / SOURCES_FILE, load_sources)
        for day, files in sorted(new_files(landed, seen).items()):
            versions = day_versions(landing, day, sources.value if sources.ok else None)
            if any(v != _ingested_version(context.instance, asset, day) for asset, v in versions.items()):
                run_key = f"{day}:" + ":".join(versions.values())
                yield dg.RunRequest(partition_key=day, run_key=run_key,
                                    tags={"maslow/new_files": str(len(files))})
        for day in sorted(set(settings.landed_days(landing)) - valid):
            context.log.info(f"landing folder for {day} is not a daily partition (yet); not ingested")
        seen.update({f: stamp for files in landed.values() for f, stamp in files.items()})
        context.update_cursor(json.dumps(seen, sort_keys=True))

    return _sensor


def day_versions(landing: Path, day: str, sources: dict | None) -> dict[str, str]:
    """The data version each ingest asset would record for the day's files (`landed_version`).

    Text and media files are versioned apart, as raw_documents and raw_media record them; with a broken
    sources.yaml (None) every file counts as text, so new files are still requested and the run reports
    the spec error.
    """
    text = ingest_partition.LandingPartition(landing, day, sources or {})
    versions = {"raw_documents": landed_version(text).value}
    if sources:
        media = MediaPartition(landing, day, sources)
        if media.files:
            versions["raw_media"] = landed_version(media).value
    return versions


def _ingested_version(instance: dg.DagsterInstance, asset: str, day: str) -> str | None:
    """The data version (`landed_version`) of the day's latest materialization of `asset`."""
    flt = dg.AssetRecordsFilter(asset_key=dg.AssetKey(asset), asset_partitions=[day])
    records = instance.fetch_materializations(flt, limit=1).records
    return records[0].asset_materialization.tags.get("dagster/data_version") if records else None
