"""Lake garbage collection (`maslow gc`, the `lake_gc` schedule): removes untagged Lance versions older than a
retention, never one a materialization or a stage's log refers to, and the scratch of dead runs.

Every version a recorded materialization wrote (`lance/version`) or read (`inputs/<asset>/lance_version`), and
every version the stage log names (published sets, the versions a run started from: `lance_stage`), is tagged
first (the IO manager tags what it writes; a tag lost to a full disk, or a lake older than the tags, is
restored here), so Lance's cleanup, which skips tagged versions, keeps them all. Stage runs that died between
their commits are settled and what is committed is published first. Works on a local or object-store lake.
"""

from __future__ import annotations

from collections import defaultdict

import dagster as dg

from resources import lance_datasets, lance_scratch, lance_stage, lance_tags
from resources.lance_io_manager import LanceIOManager

DEFAULT_RETENTION_DAYS = 14
_ACTIVE = {dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING,
           dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING}


def run_alive(instance: dg.DagsterInstance, run_id: str) -> bool | None:
    """Whether a run may still be writing (None: this instance does not know it)."""
    run = instance.get_run_by_id(run_id)
    return None if run is None else run.status in _ACTIVE


def referenced_versions(instance: dg.DagsterInstance, keys: list[dg.AssetKey]) -> dict[str, set[int]]:
    """Lance versions each asset's materializations wrote or read, by dataset name (`a/b` for a key path)."""
    out: dict[str, set[int]] = defaultdict(set)
    for key in keys:
        for record in _records(instance, key):
            meta = record.asset_materialization.metadata if record.asset_materialization else {}
            for name, value in meta.items():
                if name == "lance/version":
                    out["/".join(key.path)].add(int(value.value))
                elif name.startswith("inputs/") and name.endswith("/lance_version"):
                    out[name.removeprefix("inputs/").removesuffix("/lance_version")].add(int(value.value))
    return out


def collect(instance: dg.DagsterInstance, io: LanceIOManager, keys: list[dg.AssetKey],
            retention_days: float, dry_run: bool = False) -> dict[str, dict]:
    """Per dataset: versions kept by a tag restored here, what cleanup removed; `_scratch`: runs swept."""

    def alive(run_id: str) -> bool | None:
        return run_alive(instance, run_id)

    if not dry_run:
        for stage, members in lance_stage.stages(io.root_uri, io.storage_options).items():
            log = lance_stage.StageLog(io.root_uri, stage, members, io.storage_options)
            log.settle(alive)
            log.publish()
    wanted = referenced_versions(instance, keys)
    for name, versions in lance_stage.referenced_versions(io.root_uri, io.storage_options).items():
        wanted.setdefault(name, set()).update(versions)
    wanted.setdefault(lance_stage.LOG_NAME, set())
    report = {name: _collect_one(io, name, versions, retention_days, dry_run)
              for name, versions in sorted(wanted.items())}
    report = {name: r for name, r in report.items() if r is not None}
    if not dry_run:
        report["_scratch"] = {"runs_swept": lance_scratch.sweep(io.root_uri, alive, io.storage_options)}
    return report


def _collect_one(io: LanceIOManager, name: str, versions: set[int], retention_days: float,
                 dry_run: bool) -> dict | None:
    ds = lance_datasets.open_dataset(lance_datasets.dataset_uri(io.root_uri, name.split("/")), None,
                                     io.storage_options)  # the latest version, not the one readers see
    if ds is None:
        return None
    existing = {v["version"] for v in ds.versions()}
    tagged = {t["version"] for t in ds.tags.list().values()}
    missing = sorted((versions & existing) - tagged)
    stats = None
    if not dry_run:
        for version in missing:
            lance_tags.tag_version(ds, lance_tags.tag_name("gc-keep", str(version)), version)
        if name == lance_stage.LOG_NAME:  # one small fragment per event: compacted before cleanup
            ds.optimize.compact_files()
        stats = lance_tags.cleanup(ds, retention_days * 86400)
    return {"tags_restored": missing, "versions_before": len(existing),
            "versions_removed": getattr(stats, "old_versions", 0) if stats else 0,
            "bytes_removed": getattr(stats, "bytes_removed", 0) if stats else 0}


def _records(instance: dg.DagsterInstance, key: dg.AssetKey):
    """Every materialization record of `key`, page by page."""
    cursor = None
    while True:
        page = instance.fetch_materializations(key, limit=10_000, cursor=cursor)
        yield from page.records
        if not page.has_more:
            return
        cursor = page.cursor
