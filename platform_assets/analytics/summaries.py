"""Per-partition figures and chart of one SQL model materialization (what Dagster's asset page shows).

The header's `metadata:` entries are SQL aggregates over the model's own rows (`sum(documents)`,
`sum(exact_duplicates) / sum(documents_in)`), evaluated per day for a daily model: numeric metadata per
partition is what Dagster's asset plots draw as trends. The `chart:` block is rendered to a PNG and
inlined in markdown, so the materialization's page shows the picture.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import dagster as dg
import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from platform_assets.analytics import charts
from platform_assets.analytics.merge import DAY

if TYPE_CHECKING:
    from platform_assets.analytics.sql_models import SqlModel


def figures(model: SqlModel, table: pa.Table, by_day: bool) -> dict[str | None, dict[str, float]]:
    """{day (None when not by day): {metadata name: value}} from the header's `metadata:` aggregates."""
    entries = model.header.metadata
    if not entries:
        return {}
    select = ", ".join(f'{expr} as "{i}"' for i, expr in enumerate(entries.values()))
    sql = f"select {'day, ' if by_day else ''}{select} from t" + (" group by day" if by_day else "")
    with duckdb.connect() as con:
        con.register("t", table)
        try:
            rows = con.sql(sql).fetchall()
        except duckdb.Error as e:
            raise ValueError(f"{model.path}: header.metadata: {e}") from e
    out = {}
    for row in rows:
        key, values = (row[0], row[1:]) if by_day else (None, row)
        out[key] = {name: _number(v) for name, v in zip(entries, values, strict=True)}
    return out


def _number(value) -> float | int:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return 0
    return value if isinstance(value, int) else float(value)


def chart_markdown(model: SqlModel, table: pa.Table, title: str) -> dg.MetadataValue:
    chart = model.header.chart
    png = charts.to_png(charts.spec(chart, table, title))
    return dg.MetadataValue.md(charts.markdown_image(png, title))


def partition_metadata(model: SqlModel, table: pa.Table, days: list[str] | None) -> dict:
    """{day: metadata} for each of `days` (a daily model's run), else {None: metadata}."""
    by_day = days is not None
    values = figures(model, table, by_day)
    out = {}
    for key in days if by_day else [None]:
        rows = table.filter(pc.equal(table[DAY], key)) if by_day and DAY in table.column_names else table
        meta: dict = {name: 0 for name in model.header.metadata} | values.get(key, {})
        if model.header.chart is not None:
            meta["chart"] = chart_markdown(model, rows, f"{model.name}" + (f" · {key}" if key else ""))
        out[key] = meta
    return out
