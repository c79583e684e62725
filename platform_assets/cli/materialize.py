"""`maslow materialize SELECTION [--partition P | --from DAY --to DAY]`: run chosen assets now.

SELECTION is asset names separated by commas (`clean_documents,eval_items`) or Dagster's selection syntax
(`+mixtures`, `key:raw_documents+`, `group:analytics`). The outputs a multi-asset computes together are
added (`eval_items` brings `eval_item_errors`). Assets run in the staged order of `maslow demo` (inputs
first), in the Dagster instance under DAGSTER_HOME, so the UI and `maslow audit` see the runs.
"""

from __future__ import annotations

import argparse
import os
import re

import dagster as dg

from platform_assets import settings
from platform_assets.cli.args import day
from platform_assets.partitions import daily_partitions


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("selection", help="asset names (comma-separated) or a Dagster selection (+mixtures)")
    parser.add_argument("--partition", help="one partition: a day, an eval set, a mixture name")
    parser.add_argument("--from", dest="start", type=day, help="first day of a range of daily partitions")
    parser.add_argument("--to", dest="end", type=day, help="last day of the range (default: --from)")


def selected(defs: dg.Definitions, selection: str) -> set[dg.AssetKey]:
    """The selected asset keys plus their multi-asset siblings; ValueError says "no such asset"."""
    from resources.sql_diagnostics import no_such_asset

    graph = defs.resolve_asset_graph()
    names = {k.to_user_string() for k in graph.materializable_asset_keys}
    if re.fullmatch(r"[\w/,\s-]+", selection):
        wanted = [n.strip() for n in selection.split(",") if n.strip()]
        unknown = [n for n in wanted if n not in names]
        if unknown:
            raise ValueError("; ".join(no_such_asset(n, names) for n in unknown))
        keys = {dg.AssetKey.from_user_string(n) for n in wanted}
    else:
        keys = set(dg.AssetSelection.from_string(selection).resolve(graph))
        if not keys:
            raise ValueError(f"the selection {selection!r} matches no asset")
    return {k for key in keys for k in defs.resolve_assets_def(key).keys} if keys else keys


def run(args: argparse.Namespace) -> int:
    from platform_assets.cli.backfill import days_between
    from platform_assets.cli.dagster_home import ensure_dagster_home
    from platform_assets.cli.runner import run_graph
    from platform_assets.definitions import build_defs

    defs = build_defs()
    if args.partition and args.start:
        print("maslow materialize: give --partition or --from/--to, not both")
        return 2
    try:
        keys = selected(defs, args.selection)
    except ValueError as e:
        print(f"maslow materialize: {e}")
        return 2
    graph = defs.resolve_asset_graph()
    daily = any(graph.get(k).partitions_def == daily_partitions for k in keys)
    days = days_between(args.start, args.end or args.start) if args.start else []
    if args.partition and daily_partitions.has_partition_key(args.partition):
        days = [args.partition]
    static = [k for k in keys if (p := graph.get(k).partitions_def) is not None and p != daily_partitions]
    if args.partition and not days:
        lacking = [k.to_user_string() for k in static if not graph.get(k).partitions_def.has_partition_key(
            args.partition)]
        if lacking or not static:
            print(f"maslow materialize: no partition {args.partition!r} of {', '.join(lacking) or 'them'}")
            return 2
    if daily and not days:
        print("maslow materialize: daily assets need --partition DAY or --from DAY [--to DAY]")
        return 2
    os.environ["DAGSTER_HOME"] = str(ensure_dagster_home(settings.dagster_home()))
    with dg.DagsterInstance.get() as instance:
        results = run_graph(defs, instance, days, only=keys, static=args.partition, optional=True)
    done = sorted({e.asset_key.to_user_string() + (f" [{e.partition}]" if e.partition else "")
                   for r in results for e in r.get_asset_materialization_events()})
    print(f"materialized {len(done)} asset partition(s) in {len(results)} run(s):")
    for line in done:
        print(f"  {line}")
    return 0
