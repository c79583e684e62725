"""Charts declared next to the SQL: the `chart:` block of a model's header, rendered offline.

    chart:
      kind: bar            # bar | line | area | point | rect (a heatmap: color is the value)
      x: day               # a result column, optionally with a Vega-Lite type: `bin_lower:O`, `day:T`
      y: documents
      color: reason        # optional
      facet: source        # optional: one small chart per value (each with its own scales)
      where: outcome = 'dropped'   # optional: a SQL predicate on the rows drawn
      grouped: true        # optional, bars: colors side by side instead of stacked (target vs achieved)

Altair builds the Vega-Lite spec; vl-convert (a bundled Deno + Vega engine: no browser, no network)
renders it to SVG or PNG. A chart naming a column the model does not produce raises ChartError.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Literal

import duckdb
import pyarrow as pa
from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    import altair as alt

WIDTH, HEIGHT, FACET_COLUMNS = 420, 180, 3
MAX_ROWS = 5000  # a chart of aggregates; more rows than this means the chart's grain is wrong


class ChartError(ValueError):
    """A chart names a column its data does not have."""


class Chart(BaseModel):
    """The `chart:` block of a model header."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["bar", "line", "area", "point", "rect"]
    x: str
    y: str
    color: str | None = None
    facet: str | None = None
    title: str | None = None
    where: str | None = None
    grouped: bool = False

    def fields(self) -> dict[str, str]:
        """{channel: column name} of every channel in use (the part before any `:type`)."""
        channels = {"x": self.x, "y": self.y, "color": self.color, "facet": self.facet}
        return {k: v.split(":")[0] for k, v in channels.items() if v}


def spec(chart: Chart, table: pa.Table, title: str) -> dict:
    """The Vega-Lite spec (a dict) of `chart` over `table`."""
    import altair as alt  # here, not at the top: every process that loads the definitions would pay ~1 s

    missing = {k: v for k, v in chart.fields().items() if v not in table.column_names}
    if missing:
        raise ChartError(f"chart.{', chart.'.join(missing)}: no column {sorted(missing.values())} in the "
                         f"model's result (columns: {table.column_names})")
    if table.num_rows > MAX_ROWS:
        raise ChartError(f"{table.num_rows} rows to draw (at most {MAX_ROWS}): aggregate further in SQL")
    if chart.where:
        table = _where(table, chart.where)
    frame = table.select(list(dict.fromkeys(chart.fields().values()))).to_pandas()
    encoding = {"x": _x(chart), "y": chart.y, "tooltip": list(dict.fromkeys(chart.fields().values()))}
    if chart.color:
        encoding["color"] = chart.color
        if chart.grouped and chart.kind == "bar":
            encoding["xOffset"] = chart.color
    data = alt.Chart(frame)
    base = data.mark_line(point=True) if chart.kind == "line" else getattr(data, f"mark_{chart.kind}")()
    base = base.encode(**encoding).properties(width=WIDTH if not chart.facet else WIDTH // 2, height=HEIGHT)
    if chart.facet:
        base = base.facet(facet=alt.Facet(chart.facet), columns=FACET_COLUMNS)
        offset = {"xOffset": "independent"} if "xOffset" in encoding else {}
        base = base.resolve_scale(x="independent", y="independent", **offset)
    return base.properties(title=chart.title or title).to_dict()


def _where(table: pa.Table, predicate: str) -> pa.Table:
    with duckdb.connect() as con:
        con.register("t", table)
        try:
            return con.sql(f"select * from t where {predicate}").to_arrow_table()
        except duckdb.Error as e:
            raise ChartError(f"chart.where: {e}") from e


def _x(chart: Chart) -> str | alt.X:
    import altair as alt

    if chart.x.split(":")[0] == "day" and ":" not in chart.x:
        return alt.X("day:O", sort="ascending")  # a day string is ordinal; T would need a time zone
    return chart.x


def to_svg(vega_lite: dict) -> str:
    import vl_convert as vlc

    return vlc.vegalite_to_svg(vega_lite)


def to_png(vega_lite: dict, scale: float = 1.0) -> bytes:
    import vl_convert as vlc

    return vlc.vegalite_to_png(vega_lite, scale=scale)


def markdown_image(png: bytes, alt_text: str) -> str:
    """Markdown with the PNG inlined as a data URI: Dagster's asset page shows it as a picture."""
    return f"![{alt_text}](data:image/png;base64,{base64.b64encode(png).decode()})"
