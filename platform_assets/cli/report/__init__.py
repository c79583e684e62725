"""`maslow report [--from DAY] [--to DAY] [--out report.html]`: the corpus at a glance, one static page.

Reads only the analytics models' aggregates (`report/data.py`), renders each model's `chart:` to inline
SVG (`report/html.py`) and writes one self-contained HTML file: no script, no external font or link.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from platform_assets import settings
from platform_assets.cli.args import day


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="start", type=day, default=None,
                        help="first day, YYYY-MM-DD (default: the first day the aggregates hold)")
    parser.add_argument("--to", dest="end", type=day, default=None,
                        help="last day, YYYY-MM-DD (default: the last day the aggregates hold)")
    parser.add_argument("--out", type=Path, default=None,
                        help="output file (default: $MASLOW_HOME/reports/report.html)")


def write_report(out: Path | None = None, start: str | None = None, end: str | None = None,
                 instance=None) -> Path:
    """Writes the report for [start, end] and returns its path (atomically: a temp file renamed)."""
    from platform_assets.cli.report.data import collect
    from platform_assets.cli.report.html import page

    panels, start, end = collect(settings.lake_uri(), start, end, instance)
    out = out or settings.maslow_home() / "reports" / "report.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(page(panels, start, end))
    tmp.replace(out)
    return out


def run(args: argparse.Namespace) -> int:
    import os

    import dagster as dg

    from platform_assets.cli.dagster_home import ensure_dagster_home

    started = time.perf_counter()
    os.environ["DAGSTER_HOME"] = str(ensure_dagster_home(settings.dagster_home()))
    start, end = (str(d) if d else None for d in (args.start, args.end))
    with dg.DagsterInstance.get() as instance:
        out = write_report(args.out, start, end, instance)
    print(f"report: {out.resolve()} ({time.perf_counter() - started:.1f} s)")
    return 0
