"""Lake garbage collection (`maslow gc`, the `lake_gc` schedule): removes untagged Lance versions older than a
retention, never one a materialization uses.

Every version a recorded materialization wrote (`lance/version`) or read (`inputs/<asset>/lance_version`)
is tagged first (the IO manager tags them when it writes; a tag lost to a full disk, or a lake older than
the tags, is restored here), so Lance's cleanup, which skips tagged versions, keeps them all.
"""

from __future__ import annotations

from collections import defaultdict

import dagster as dg

from resources import lance_tags
from resources.lance_io_manager import LanceIOManager

DEFAULT_RETENTION_DAYS = 14


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
    """Per dataset: versions kept by a tag restored here, and what cleanup removed."""
    report = {}
    for name, versions in sorted(referenced_versions(instance, keys).items()):
        ds = io.open(dg.AssetKey(name.split("/")))
        if ds is None:
            continue
        existing = {v["version"] for v in ds.versions()}
        tagged = {t["version"] for t in ds.tags.list().values()}
        missing = sorted((versions & existing) - tagged)
        if not dry_run:
            for version in missing:
                lance_tags.tag_version(ds, lance_tags.tag_name("gc-keep", str(version)), version)
        stats = None if dry_run else lance_tags.cleanup(ds, retention_days * 86400)
        report[name] = {"tags_restored": missing, "versions_before": len(existing),
                        "versions_removed": getattr(stats, "old_versions", 0) if stats else 0,
                        "bytes_removed": getattr(stats, "bytes_removed", 0) if stats else 0}
    return report


def _records(instance: dg.DagsterInstance, key: dg.AssetKey):
    """Every materialization record of `key`, page by page."""
    cursor = None
    while True:
        page = instance.fetch_materializations(key, limit=10_000, cursor=cursor)
        yield from page.records
        if not page.has_more:
            return
        cursor = page.cursor
