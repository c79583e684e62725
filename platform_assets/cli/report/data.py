"""The report's data: each analytics model's rows for a date range, read from its daily aggregates only.

A daily model's panel reads its own Lance dataset filtered to the range (never `clean_documents`): a chart
over days draws the daily rows; any other chart draws the days merged (`analytics/merge.py`). Each panel
also carries the Lance version of the aggregate and the input versions its materializations read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import dagster as dg
import pyarrow as pa

from platform_assets.analytics.merge import DAY, merge_days
from platform_assets.analytics.sql_models import SqlModel, load_models
from resources import lance_datasets, lance_filters


@dataclass
class Panel:
    model: SqlModel
    table: pa.Table | None                 # None: never materialized
    version: int | None = None             # the aggregate's Lance version
    inputs: dict[str, list[int]] = field(default_factory=dict)  # input asset -> Lance versions read

    @property
    def name(self) -> str:
        return self.model.name


def read_range(lake: str, model: SqlModel, start: str | None, end: str | None) -> tuple[pa.Table | None, int]:
    """The model's stored rows (a daily model's within [start, end]) and the dataset's Lance version."""
    ds = lance_datasets.open_dataset(lance_datasets.dataset_uri(lake, [model.name]))
    if ds is None:
        return None, 0
    daily = model.header.partitioning == "daily"
    where = lance_filters.range_predicate(DAY, start or None, end or None) if daily else None
    return ds.to_table(filter=where), ds.version


def chart_rows(model: SqlModel, table: pa.Table) -> pa.Table:
    """What the chart draws: daily rows when it plots by day, else the days merged."""
    chart, merge = model.header.chart, model.header.merge
    by_day = chart is not None and DAY in chart.fields().values()
    if model.header.partitioning != "daily" or by_day or merge is None:
        return table
    return merge_days(table, merge, model.header.grain)


def days_available(lake: str, models: list[SqlModel]) -> list[str]:
    days: set[str] = set()
    for model in models:
        ds = lance_datasets.open_dataset(lance_datasets.dataset_uri(lake, [model.name]))
        if ds is not None and model.header.partitioning == "daily":
            days.update(ds.to_table(columns=[DAY]).column(DAY).unique().to_pylist())
    return sorted(d for d in days if d)


def input_versions(instance: dg.DagsterInstance | None, name: str, days: list[str] | None) -> dict:
    """{input asset: sorted Lance versions} from the latest materialization of each partition read."""
    if instance is None:
        return {}
    records_filter = dg.AssetRecordsFilter(asset_key=dg.AssetKey(name), asset_partitions=days)
    latest: dict[str | None, dict] = {}
    for record in instance.fetch_materializations(records_filter, limit=10_000, ascending=False).records:
        mat = record.asset_materialization
        latest.setdefault(mat.partition, mat.metadata)
    out: dict[str, set[int]] = {}
    for metadata in latest.values():
        for key, value in metadata.items():
            if key.startswith("inputs/") and key.endswith("/lance_version"):
                out.setdefault(key.split("/")[1], set()).add(int(value.value))
    return {k: sorted(v) for k, v in sorted(out.items())}


def collect(lake: str, start: str | None, end: str | None,
            instance: dg.DagsterInstance | None = None) -> tuple[list[Panel], str | None, str | None]:
    """Every model's panel for [start, end] (default: all days the aggregates hold), and the range."""
    models = load_models()
    days = days_available(lake, models)
    start, end = start or (days[0] if days else None), end or (days[-1] if days else None)
    in_range = [d for d in days if (start is None or d >= start) and (end is None or d <= end)]
    panels = []
    for model in models:
        table, version = read_range(lake, model, start, end)
        daily = model.header.partitioning == "daily"
        panels.append(Panel(model, table, version, input_versions(instance, model.name,
                                                                  in_range if daily else None)))
    return panels, start, end
