"""A sensor on `<landing>/_labels/<queue>/`: imports annotation files when they land or change."""

from __future__ import annotations

import hashlib
import json

import dagster as dg

from platform_assets import settings
from platform_assets.partitions import queue_partitions
from platform_assets.processors.labeling.annotations import label_files, labels_dir
from schedules.landing_sensor import Stamp, stamp

LABEL_IMPORT_JOB = "label_import"


def label_import_job() -> dg.UnresolvedAssetJobDefinition:
    """human_labels then adjudicated_labels for one queue (partitioned by queue, as both assets are)."""
    return dg.define_asset_job(
        LABEL_IMPORT_JOB, selection=dg.AssetSelection.assets("human_labels", "adjudicated_labels"))


def queue_stamps(queues: list[str]) -> dict[str, dict[str, Stamp]]:
    """`{queue: {file name: [size, mtime_ns]}}` of every queue's annotation files (as import reads them)."""
    out = {}
    for queue in queues:
        files = {p.name: stamp(p) for p in label_files(labels_dir(settings.landing_dir(), queue))}
        if files:
            out[queue] = files
    return out


def labels_sensor(job: dg.UnresolvedAssetJobDefinition) -> dg.SensorDefinition:
    @dg.sensor(
        job=job,
        name="labels_sensor",
        minimum_interval_seconds=30,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Imports annotation files dropped in <landing>/_labels/<queue>/ (Label Studio "
        "JSON exports, JSONL) into human_labels and adjudicated_labels.",
    )
    def _sensor(context: dg.SensorEvaluationContext):
        """A queue whose set of files (name, size, mtime) differs from the cursor's is requested once; the
        run key hashes that set, so the same files never launch twice. Importing is idempotent anyway:
        annotations already stored are skipped."""
        seen: dict = json.loads(context.cursor) if context.cursor else {}
        now = queue_stamps(queue_partitions.get_partition_keys())
        for queue, files in sorted(now.items()):
            if seen.get(queue) != files:
                digest = hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()[:16]
                yield dg.RunRequest(
                    partition_key=queue,
                    run_key=f"{queue}:{digest}",
                    tags={"maslow/label_files": str(len(files))},
                )
        context.update_cursor(json.dumps(now, sort_keys=True))

    return _sensor
