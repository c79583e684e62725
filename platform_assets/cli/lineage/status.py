"""`maslow status`: per asset, the materialized partitions, the stale ones and why."""

from __future__ import annotations

from dataclasses import dataclass, field

import dagster as dg
from dagster._core.asset_graph_view.asset_graph_view import AssetGraphView, TemporalContext
from dagster._core.definitions.data_version import CachingStaleStatusResolver, StaleStatus
from dagster._time import get_current_datetime

from platform_assets import spec_versions


@dataclass
class AssetStatus:
    asset: str
    group: str | None
    partitions_total: int | None
    materialized: list[str] = field(default_factory=list)
    stale: dict[str, list[str]] = field(default_factory=dict)  # partition ("" if none) -> causes
    missing: bool = False


def _resolver(instance: dg.DagsterInstance, defs: dg.Definitions) -> CachingStaleStatusResolver:
    # Dagster's own staleness logic (code versions, upstream data versions), as the UI shows it.
    graph = defs.resolve_asset_graph()
    view = AssetGraphView(temporal_context=TemporalContext(effective_dt=get_current_datetime(),
                                                           last_event_id=None),
                          instance=instance, asset_graph=graph)
    return CachingStaleStatusResolver(instance=instance, asset_graph=graph, loading_context=view)


def status(instance: dg.DagsterInstance, defs: dg.Definitions) -> list[AssetStatus]:
    """Per asset (in topological order), its materialized partitions and the stale ones with their causes.

    Dagster's resolver marks an asset stale for its own new code version or a new data version of an input,
    but not for an input that is itself stale and not yet rematerialized. A changed filter threshold would
    then show only the clean stage; here a partition whose input partition is stale is stale too ("upstream
    <asset> is stale"), so the whole affected subgraph shows. The spec files' current versions are recorded
    first (spec_versions), so an edited spec shows without waiting for the sensor.
    """
    graph = defs.resolve_asset_graph()
    spec_versions.observe(instance, {k.to_user_string() for k in graph.external_asset_keys})
    resolver = _resolver(instance, defs)
    by_key: dict[dg.AssetKey, AssetStatus] = {}
    out = []
    for key in graph.toposorted_asset_keys:
        node = graph.get(key)
        if not node.is_materializable:
            continue
        pdef = node.partitions_def
        st = AssetStatus(key.to_user_string(), node.group_name,
                         None if pdef is None else len(pdef.get_partition_keys()))
        if pdef is None:
            st.missing = instance.get_latest_materialization_event(key) is None
            parts: list[str | None] = [] if st.missing else [None]
        else:
            st.materialized = sorted(instance.get_materialized_partitions(key))
            parts = list(st.materialized)
        for part in parts:
            causes = []
            if resolver.get_status(key, part) == StaleStatus.STALE:
                causes = [_cause(c) for c in resolver.get_stale_causes(key, part)]
            causes += [f"upstream {dep.to_user_string()} is stale" for dep in sorted(node.parent_keys)
                       if _stale_input(by_key.get(dep), graph.get(dep).partitions_def, pdef, part)]
            if causes:
                st.stale[part or ""] = causes
        by_key[key] = st
        out.append(st)
    return out


def _stale_input(dep: AssetStatus | None, dep_pdef, pdef, part: str | None) -> bool:
    """Whether the input partitions that `part` reads hold a stale one: the same key where both assets share
    a partitions definition (the daily chain), else any partition of the input (it reads them all)."""
    if dep is None or not dep.stale:
        return False
    return part in dep.stale if dep_pdef is not None and dep_pdef == pdef else True


def _cause(cause) -> str:
    dep = f" ({cause.dependency.asset_key.to_user_string()})" if cause.dependency else ""
    return f"{cause.reason}{dep}"


def render(rows: list[AssetStatus], width: int | None = None) -> str:
    """One line per asset, cut to `width` (the terminal's; unlimited off a terminal): partitions stale for
    the same reasons are summarized as one count and range (`--json` has every partition and cause)."""
    lines = [f"{'asset':28} {'group':16} {'materialized':>14}  stale"]
    for r in rows:
        total = "-" if r.partitions_total is None else r.partitions_total
        mat = ("missing" if r.missing else "yes") if r.partitions_total is None else \
            f"{len(r.materialized)}/{total}"
        line = f"{r.asset:28} {r.group or '-':16} {mat:>14}  {summarize(r.stale) or '-'}"
        lines.append(line if width is None or len(line) <= width else line[: width - 1] + "…")
    return "\n".join(lines)


def summarize(stale: dict[str, list[str]]) -> str:
    """`2026-01-01..2026-01-03 (3): code version changed; mixture_a: ...`: partitions grouped by causes."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for part, causes in sorted(stale.items()):
        groups.setdefault(tuple(sorted(set(causes))), []).append(part or "all")
    out = []
    for causes, parts in groups.items():
        where = parts[0] if len(parts) == 1 else f"{parts[0]}..{parts[-1]} ({len(parts)})"
        shown = ", ".join(causes[:2]) + (f" +{len(causes) - 2} more" if len(causes) > 2 else "")
        out.append(f"{where}: {shown}")
    return "; ".join(out)
