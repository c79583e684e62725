"""`maslow gc`: old untagged Lance versions and dead runs' scratch removed, every recorded version kept
(resources/lance_gc.py); the near-dup index's cached runs of deleted lakes removed
(processors/dedup/index_lookup.py)."""

from __future__ import annotations

import argparse

import dagster as dg

from platform_assets import settings
from platform_assets.processors.dedup import index_lookup
from resources.lance_datasets import open_dataset
from resources.lance_gc import DEFAULT_RETENTION_DAYS, collect
from resources.lance_io_manager import LanceIOManager


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--retention-days", type=float, default=DEFAULT_RETENTION_DAYS,
                        help=f"keep untagged versions younger than this (default {DEFAULT_RETENTION_DAYS})")
    parser.add_argument("--dry-run", action="store_true", help="say what is referenced; remove nothing")


def _index_exists(uri: str) -> bool:
    """Whether a cached index is still there; one on an object store is kept (checking it would need that
    store's credentials, and a stale cache only takes disk)."""
    if "://" in uri and not uri.startswith("file://"):
        return True
    return open_dataset(uri) is not None


def run(args: argparse.Namespace) -> int:
    import os

    from platform_assets.cli.dagster_home import ensure_dagster_home
    from platform_assets.definitions import defs

    os.environ["DAGSTER_HOME"] = str(ensure_dagster_home(settings.dagster_home()))
    keys = list(defs.resolve_asset_graph().get_all_asset_keys())
    with dg.DagsterInstance.get() as instance:
        report = collect(instance, LanceIOManager(root_uri=settings.lake_uri()), keys, args.retention_days,
                         args.dry_run)
    swept = report.pop("_scratch", {}).get("runs_swept", [])
    for name, r in report.items():
        print(f"{name}: {r['versions_removed']} old versions removed ({r['bytes_removed']} bytes), "
              f"{len(r['tags_restored'])} referenced versions re-tagged, {r['versions_before']} before")
    print(f"scratch of {len(swept)} dead run(s) removed")
    gone = index_lookup.sweep(settings.near_dup_runs_dir(), _index_exists, args.dry_run)
    print(f"near-dup runs cache: {len(gone)} deleted index(es) {'to remove' if args.dry_run else 'removed'}"
          + "".join(f"\n  {uri}" for uri in gone))
    return 0
