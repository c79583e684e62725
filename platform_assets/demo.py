"""`maslow demo`: materialize the whole graph on demo data, then print what was built.

The graph is run in stages: consecutive assets in topological order that share a partitions
definition form one stage, run once per partition (the demo days, every static key, or once).
Runs go to the Dagster instance under DAGSTER_HOME, so `make ui` shows the history afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import dagster as dg
from rich.console import Console
from rich.progress import Progress

from platform_assets import settings
from platform_assets.partitions import daily_partitions
from resources import lance_tables as lt

QUIET = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}


@dataclass
class Stage:
    keys: list[dg.AssetKey]
    partitions_def: dg.PartitionsDefinition | None

    def partition_keys(self, days: Sequence[str]) -> list[str | None]:
        if self.partitions_def is None:
            return [None]
        if self.partitions_def == daily_partitions:
            return list(days)
        return list(self.partitions_def.get_partition_keys())


def stages(defs: dg.Definitions) -> list[Stage]:
    """Topological stages, each holding assets of one partitions definition whose deps are done."""
    graph = defs.resolve_asset_graph()
    todo = [k for k in graph.toposorted_asset_keys if graph.get(k).is_materializable]
    done: set[dg.AssetKey] = set()
    out: list[Stage] = []
    while todo:
        pdef = graph.get(todo[0]).partitions_def
        stage = Stage([], pdef)
        progress = True
        while progress:
            progress = False
            for key in list(todo):
                node = graph.get(key)
                deps_ready = all(d in done or d in stage.keys or not graph.get(d).is_materializable
                                 for d in node.parent_keys)
                if node.partitions_def == pdef and deps_ready:
                    stage.keys.append(key)
                    todo.remove(key)
                    progress = True
        done.update(stage.keys)
        out.append(stage)
    return out


def run_graph(defs: dg.Definitions, instance: dg.DagsterInstance, days: Sequence[str],
              console: Console | None = None) -> list[dg.ExecuteInProcessResult]:
    console = console or Console()
    job = defs.resolve_implicit_global_asset_job_def()
    plan = [(s, p) for s in stages(defs) for p in s.partition_keys(days)]
    results = []
    with Progress(console=console, transient=False) as progress:
        task = progress.add_task("materializing", total=len(plan))
        for stage, part in plan:
            names = ", ".join(k.to_user_string() for k in stage.keys)
            progress.update(task, description=f"{names} [{part or 'all'}]"[:70])
            result = job.execute_in_process(
                asset_selection=stage.keys, partition_key=part, instance=instance,
                run_config=QUIET, raise_on_error=False,
            )
            if not result.success:
                failure = next((e for e in result.all_events if e.is_failure), None)
                msg = failure.message if failure else "unknown failure"
                raise RuntimeError(f"demo run failed at {names} [{part}]: {msg}")
            results.append(result)
            progress.advance(task)
    return results


def summary(defs: dg.Definitions, results: Sequence[dg.ExecuteInProcessResult]) -> list[str]:
    """Rows, Lance version and location per asset, then the `summary/*` metadata of this run's outputs."""
    lake = settings.lake_uri()
    lines = [f"{'asset':28} {'rows':>9} {'lance':>6}  location"]
    for key in defs.resolve_asset_graph().toposorted_asset_keys:
        uri = lt.dataset_uri(lake, key.path)
        ds = lt.open_dataset(uri)
        if ds is not None:
            lines.append(f"{key.to_user_string():28} {ds.count_rows():>9,} {'v' + str(ds.version):>6}  {uri}")
    for result in results:
        for event in result.get_asset_materialization_events():
            mat = event.asset_materialization
            for name, value in mat.metadata.items():
                if name.startswith("summary/"):
                    where = f" [{mat.partition}]" if mat.partition else ""
                    lines += ["", f"{mat.asset_key.to_user_string()}{where} · {name[8:]}", _show(value)]
    return lines


def _show(value) -> str:
    inner = getattr(value, "value", value)
    inner = getattr(inner, "data", inner)
    if isinstance(inner, dict):
        return "\n".join(f"    {k}: {v}" for k, v in inner.items())
    return "\n".join("    " + line for line in str(inner).splitlines())


def arguments(parser) -> None:
    parser.add_argument("--days", type=int, default=3, help="demo days ending yesterday (default 3)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--docs-per-day", type=int, default=None)


def run(args) -> int:
    import os
    import time

    from platform_assets.dagster_home import ensure_dagster_home
    from platform_assets.demo_data import DEFAULT_DOCS_PER_DAY, generate, load_truth

    console = Console()
    os.environ["DAGSTER_HOME"] = str(ensure_dagster_home(settings.dagster_home()))
    landing = settings.landing_dir()
    started = time.perf_counter()
    generate(landing, args.days, args.seed, args.docs_per_day or DEFAULT_DOCS_PER_DAY)
    days = load_truth(landing, args.seed)["days"]
    console.print(f"demo data: {len(days)} days ({days[0]} .. {days[-1]}) under {landing}")
    from platform_assets.definitions import defs

    with dg.DagsterInstance.get() as instance:
        results = run_graph(defs, instance, days, console)
    console.print(f"\nmaterialized {len(results)} runs in {time.perf_counter() - started:.0f} s\n")
    for line in summary(defs, results):
        console.print(line, highlight=False, soft_wrap=True)
    console.print(
        f"\nLance datasets: {settings.lake_uri()}   Dagster instance: {os.environ['DAGSTER_HOME']}\n"
        "Open the UI with `make ui` (http://127.0.0.1:3000); try `maslow audit mixtures --verify`, "
        "`maslow status`, `maslow trace <doc_id>`."
    )
    return 0
