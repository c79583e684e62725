"""The report as one self-contained HTML page: inline SVG charts and CSS, no script, font or link."""

from __future__ import annotations

import html
from datetime import UTC, datetime

import pyarrow as pa

from platform_assets.analytics import charts
from platform_assets.analytics.merge import merge_days
from platform_assets.cli.report.data import Panel, chart_rows

STYLE = """
body { font-family: sans-serif; margin: 24px; color: #222; background: #fafafa; }
h1 { font-size: 22px; } h2 { font-size: 17px; margin: 0 0 4px; }
section.panel { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 14px; margin: 14px 0; }
p.desc { color: #555; margin: 0 0 8px; } p.inputs { color: #666; font-size: 12px; }
.chart svg { max-width: 100%; height: auto; } .error { color: #b00020; font-weight: bold; }
.note { color: #8a6d00; }
table { border-collapse: collapse; font-size: 13px; } td, th { border: 1px solid #ddd; padding: 3px 8px; }
td.num { text-align: right; }
"""


def _esc(value) -> str:
    return html.escape(str(value))


def _versions(panel: Panel) -> str:
    inputs = "; ".join(f"{name} v{', v'.join(map(str, versions))}" for name, versions in panel.inputs.items())
    return (f"aggregate <code>{_esc(panel.name)}</code> Lance v{panel.version}; inputs read: "
            f"{_esc(inputs) or 'no materialization recorded in the Dagster instance'}")


def panel_html(panel: Panel, start: str | None, end: str | None) -> str:
    """One panel: title, description, the chart as inline SVG (or the reason there is none), versions."""
    model, chart = panel.model, panel.model.header.chart
    title = chart.title if chart and chart.title else panel.name
    head = f'<section class="panel" id="{_esc(panel.name)}"><h2>{_esc(title)}</h2>'
    head += f'<p class="desc">{_esc(model.header.description)} <code>{_esc(panel.name)}</code></p>'
    if panel.table is None:
        body = f'<p class="note">not materialized yet: materialize <code>{_esc(panel.name)}</code></p>'
    elif panel.table.num_rows == 0 and model.header.partitioning == "daily":
        body = f'<p class="note">no rows between {_esc(start)} and {_esc(end)}</p>'
    elif panel.table.num_rows == 0:
        body = f'<p class="note">no rows yet: its inputs ({_esc(", ".join(model.refs))}) hold none</p>'
    elif chart is None:
        body = table_html(panel.table)
    else:
        try:
            svg = charts.to_svg(charts.spec(chart, chart_rows(model, panel.table), chart.title or panel.name))
            body = f'<div class="chart">{svg}</div>'
        except (charts.ChartError, ValueError) as e:
            body = f'<p class="error">chart failed: {_esc(e)}</p>'
    return f'{head}{body}<p class="inputs">{_versions(panel)}</p></section>'


def table_html(table: pa.Table, percent: tuple[str, ...] = ()) -> str:
    rows = table.to_pylist()
    head = "".join(f"<th>{_esc(c)}</th>" for c in table.column_names)
    body = ""
    for row in rows:
        cells = []
        for c in table.column_names:
            v = row[c]
            text = f"{v:.2%}" if c in percent and v is not None else (f"{v:,}" if isinstance(v, int) else v)
            text = f"{v:.4g}" if isinstance(v, float) and c not in percent else text
            cells.append(f'<td class="{"num" if isinstance(v, int | float) else ""}">{_esc(text)}</td>')
        body += f"<tr>{''.join(cells)}</tr>"
    return f"<table><tr>{head}</tr>{body}</table>"


def mixtures_html(panels: dict[str, Panel]) -> str:
    panel = panels.get("mixture_composition")
    if panel is None or panel.table is None or panel.table.num_rows == 0:
        return "<p>No mixture has been built.</p>"
    rows = panel.table.to_pylist()
    wide: dict[tuple, dict] = {}
    for r in rows:
        entry = wide.setdefault((r["mixture"], r["component"]), {"mixture": r["mixture"],
                                                                 "component": r["component"]})
        entry[f"{r['measure']}_ratio"] = r["ratio"]
        entry[f"{r['measure']}_tokens"] = r["tokens"]
    table = pa.Table.from_pylist(list(wide.values()))
    return table_html(table, percent=("target_ratio", "achieved_ratio"))


def contamination_html(panels: dict[str, Panel]) -> str:
    panel = panels.get("contamination_by_eval_set")
    if panel is None or panel.table is None or panel.table.num_rows == 0:
        return "<p>No contamination scan in this range.</p>"
    merged = merge_days(panel.table, panel.model.header.merge, panel.model.header.grain)
    return table_html(merged, percent=("contaminated_share",))


def page(panels: list[Panel], start: str | None, end: str | None) -> str:
    by_name = {p.name: p for p in panels}
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>maslow report {_esc(start)} .. "
             f"{_esc(end)}</title><style>{STYLE}</style></head><body>",
             f"<h1>maslow corpus report: {_esc(start)} .. {_esc(end)}</h1>",
             f"<p>Generated {stamp} from the daily analytics aggregates ({len(panels)} panels).</p>"]
    parts += [panel_html(p, start, end) for p in panels]
    parts.append(f'<section class="panel" id="mixtures-table"><h2>Mixture compositions</h2>'
                 f"{mixtures_html(by_name)}</section>")
    parts.append(f'<section class="panel" id="contamination-table"><h2>Contamination per eval set '
                 f"({_esc(start)} .. {_esc(end)})</h2>{contamination_html(by_name)}</section>")
    parts.append("</body></html>")
    return "\n".join(parts)
