"""`maslow gc`: old untagged Lance versions and dead runs' scratch removed, every recorded version kept
(resources/lance_gc.py)."""

from __future__ import annotations

import argparse

import dagster as dg

from platform_assets import settings
from resources.lance_gc import DEFAULT_RETENTION_DAYS, collect
from resources.lance_io_manager import LanceIOManager


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--retention-days", type=float, default=DEFAULT_RETENTION_DAYS,
                        help=f"keep untagged versions younger than this (default {DEFAULT_RETENTION_DAYS})")
    parser.add_argument("--dry-run", action="store_true", help="say what is referenced; remove nothing")


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
    return 0
