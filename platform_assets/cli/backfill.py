"""`maslow backfill START [END]`: rematerialize a date range of the daily chain and everything after it.

The staged plan of `maslow demo`, over landed data (nothing is generated) and only for the daily assets
and what depends on them: each daily stage runs once
per day, except assets whose backfill policy is single-run (the daily SQL models), which run once per span
of consecutive days; then every non-daily asset that depends on them. Runs are recorded in the Dagster
instance under DAGSTER_HOME, so the UI and `maslow audit` see them. From the UI, an asset backfill (assets
selected in the graph, "Materialize…" over a range) follows the same per-asset policies; a backfill of the
`daily_refresh` job runs one run per day, as Dagster applies the strictest policy of a job's assets.
"""

from __future__ import annotations

import argparse
from collections import Counter
from datetime import date

import dagster as dg

from platform_assets import settings
from platform_assets.cli.args import day
from platform_assets.partitions import daily_partitions


def days_between(start: date, end: date) -> list[str]:
    """The daily partition keys from `start` to `end` inclusive; an error names any day outside them."""
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    keys = daily_partitions.get_partition_keys()
    wanted = [k for k in keys if start.isoformat() <= k <= end.isoformat()]
    if not keys or start.isoformat() < keys[0] or end.isoformat() > keys[-1]:
        raise ValueError(f"{start}..{end} is outside the daily partitions {keys[0]}..{keys[-1]} "
                         "(MASLOW_START_DATE moves the first; the last is yesterday)")
    return wanted


def affected(defs: dg.Definitions, instance: dg.DagsterInstance) -> set[dg.AssetKey]:
    """The daily assets, everything downstream of them, and any other asset never materialized yet.

    Assets fed by their own specs only (eval sets) are left as they are, unless they are missing.
    """
    graph = defs.resolve_asset_graph()
    daily = [k for k in graph.get_all_asset_keys() if graph.get(k).partitions_def == daily_partitions]
    missing = {k for k in graph.materializable_asset_keys
               if instance.get_latest_materialization_event(k) is None}
    return set(dg.AssetSelection.assets(*daily).downstream().resolve(graph)) | missing


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("start", type=day, help="first day, YYYY-MM-DD")
    parser.add_argument("end", type=day, nargs="?", help="last day, YYYY-MM-DD (default: start)")
    parser.add_argument("--allow-empty", action="store_true",
                        help="also run days with no landed files (skipped with a warning by default)")


def without_files(days: list[str]) -> list[str]:
    """The days whose landing folders hold no file ingestion would read."""
    from platform_assets.processors.ingest_partition import landed_files

    return [d for d in days if not landed_files(settings.landing_dir(), d)]


def run(args: argparse.Namespace) -> int:
    import os
    import time

    from platform_assets.cli.args import console as args_console
    from platform_assets.cli.dagster_home import ensure_dagster_home
    from platform_assets.cli.runner import run_graph
    from platform_assets.definitions import build_defs

    defs = build_defs()
    console = args_console()
    try:
        days = days_between(args.start, args.end or args.start)
    except ValueError as e:
        print(f"maslow backfill: {e}")
        return 2
    empty = without_files(days)
    if empty and not args.allow_empty:
        print(f"maslow backfill: warning: no landed files for {_days(empty)} under {settings.landing_dir()}; "
              "skipped (--allow-empty runs them anyway)")
        days = [d for d in days if d not in empty]
        if not days:
            return 1
    os.environ["DAGSTER_HOME"] = str(ensure_dagster_home(settings.dagster_home()))
    started = time.perf_counter()
    with dg.DagsterInstance.get() as instance:
        try:
            results = run_graph(defs, instance, days, console, only=affected(defs, instance))
        except RuntimeError as e:
            print(f"maslow backfill: {e}")
            return 1
    per_asset: Counter[str] = Counter()
    for result in results:
        for event in result.get_asset_materialization_events():
            per_asset[event.asset_key.to_user_string()] += 1
    console.print(f"backfilled {days[0]}..{days[-1]} ({len(days)} days) in {len(results)} runs, "
                  f"{time.perf_counter() - started:.0f} s")
    for asset, count in sorted(per_asset.items()):
        console.print(f"  {asset:30} {count:>4} materialized", highlight=False)
    return 0


def _days(days: list[str]) -> str:
    return ", ".join(days[:5]) + (f" ... ({len(days)} days)" if len(days) > 5 else "")
