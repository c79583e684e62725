"""The staged graph runner behind `maslow demo` and `maslow backfill`.

The graph is run in stages: consecutive assets in topological order that share a partitions
definition form one stage, run once per partition (the given days, every static key, or once).
Runs go to the Dagster instance passed in, so `make ui` shows the history afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import dagster as dg
from rich.console import Console
from rich.progress import Progress

from platform_assets.cli.args import console as args_console
from platform_assets.cli.orphans import fail_orphaned_runs, run_tags
from platform_assets.partitions import daily_partitions
from platform_assets.policies import OPTIONAL_TAG

# A failed step is reported once, as one line, by run_graph's RuntimeError (Dagster would print its trace).
QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


@dataclass
class Stage:
    keys: list[dg.AssetKey]
    partitions_def: dg.PartitionsDefinition | None
    single_run: bool = False  # every asset's backfill policy is single-run: one run per span of days

    def partition_keys(self, days: Sequence[str], static: str | None = None
                       ) -> list[str | dg.PartitionKeyRange | None]:
        """The runs' partitions: the days (or spans), `static` alone if given, else every static key."""
        if self.partitions_def is None:
            return [None]
        if self.partitions_def == daily_partitions:
            return spans(days) if self.single_run else list(days)
        keys = list(self.partitions_def.get_partition_keys())
        return [static] if static is not None and static in keys else keys


def spans(days: Sequence[str]) -> list[dg.PartitionKeyRange]:
    """Sorted days as ranges of consecutive partitions: ["d1", "d2", "d4"] -> [d1..d2, d4..d4]."""
    keys = daily_partitions.get_partition_keys()
    position = {k: i for i, k in enumerate(keys)}
    unknown = sorted(set(days) - set(position))
    if unknown:
        raise ValueError(f"not daily partitions (yet): {', '.join(unknown)}; the last is {keys[-1]}")
    out: list[dg.PartitionKeyRange] = []
    for day in sorted(days, key=position.__getitem__):
        if out and position[day] == position[out[-1].end] + 1:
            out[-1] = dg.PartitionKeyRange(out[-1].start, day)
        else:
            out.append(dg.PartitionKeyRange(day, day))
    return out


def _single_run(node) -> bool:
    policy = node.backfill_policy
    return policy is not None and policy.max_partitions_per_run is None


def stages(defs: dg.Definitions, only: set[dg.AssetKey] | None = None, optional: bool = False) -> list[Stage]:
    """Topological stages, each holding assets of one partitions definition whose deps are done.

    Optional assets (an extra they need may be missing) are left out unless `optional` (an explicit
    request). `only` limits the plan to those assets (their other inputs are taken as they are).
    """
    graph = defs.resolve_asset_graph()
    todo = [k for k in graph.toposorted_asset_keys
            if graph.get(k).is_materializable and (optional or OPTIONAL_TAG not in graph.get(k).tags)
            and (only is None or k in only)]
    todo_all = set(todo)
    done: set[dg.AssetKey] = set()
    out: list[Stage] = []
    while todo:
        pdef, single = graph.get(todo[0]).partitions_def, _single_run(graph.get(todo[0]))
        stage = Stage([], pdef, single)
        progress = True
        while progress:
            progress = False
            for key in list(todo):
                node = graph.get(key)
                deps_ready = all(d in done or d in stage.keys or d not in todo_all
                                 for d in node.parent_keys)
                if node.partitions_def == pdef and _single_run(node) == single and deps_ready:
                    stage.keys.append(key)
                    todo.remove(key)
                    progress = True
        done.update(stage.keys)
        out.append(stage)
    return out


def run_graph(defs: dg.Definitions, instance: dg.DagsterInstance, days: Sequence[str],
              console: Console | None = None, only: set[dg.AssetKey] | None = None,
              static: str | None = None, optional: bool = False) -> list[dg.ExecuteInProcessResult]:
    """Runs the stages over `days`; a statically partitioned stage runs only partition `static` if it has
    one, else every partition; `optional` includes optional assets of `only`."""
    console = console or args_console()
    for run_id in fail_orphaned_runs(instance):
        console.print(f"marked run {run_id} failed: its process is gone")
    job = defs.resolve_implicit_global_asset_job_def()
    plan = [(s, p) for s in stages(defs, only, optional) for p in s.partition_keys(days, static)]
    results = []
    with Progress(console=console, transient=False) as progress:
        task = progress.add_task("materializing", total=len(plan))
        for stage, part in plan:
            names = ", ".join(k.to_user_string() for k in stage.keys)
            label = f"{part.start}..{part.end}" if isinstance(part, dg.PartitionKeyRange) else part or "all"
            progress.update(task, description=f"{names} [{label}]"[:70])
            result = job.execute_in_process(
                asset_selection=stage.keys, instance=instance, run_config=QUIET, raise_on_error=False,
                **_partition_arguments(part, run_tags()),
            )
            if not result.success:
                raise RuntimeError(f"run failed at {names} [{label}]: {failure_message(result)}")
            results.append(result)
            progress.advance(task)
    return results


def failure_message(result: dg.ExecuteInProcessResult) -> str:
    """The failed step's own message (a Failure's description, or the error it raised), not Dagster's
    "Execution of step ... failed."."""
    for event in result.all_events:
        if event.is_step_failure:
            data = event.step_failure_data
            if data.user_failure_data is not None and data.user_failure_data.description:
                return data.user_failure_data.description
            error = data.error.cause or data.error if data.error else None
            if error is not None:  # "pkg.SomeError: message" -> "message"
                return re.sub(r"^[\w.]+: ", "", error.message.strip())
    failure = next((e for e in result.all_events if e.is_failure), None)
    return failure.message if failure else "unknown failure"


def _partition_arguments(part: str | dg.PartitionKeyRange | None, tags: dict[str, str]) -> dict:
    """`execute_in_process` arguments for one partition, or a range in one run (Dagster's range tags)."""
    if not isinstance(part, dg.PartitionKeyRange):
        return {"partition_key": part, "tags": tags}
    return {"tags": {**tags, "dagster/asset_partition_range_start": part.start,
                     "dagster/asset_partition_range_end": part.end}}

