"""`maslow report`: one self-contained HTML page of every analytics panel, built from aggregates only.

The lake holds the analytics models' inputs (tests/platform_assets/analytics/small_lake.py), the models
are materialized over three days into a real Dagster instance, and then every input dataset is deleted:
the report can only have read the daily aggregates. The browser test opens the page in Debian's chromium.
"""

from __future__ import annotations

import re
import shutil

import dagster as dg
import pytest

from platform_assets.analytics.mixture_targets import mixture_targets
from platform_assets.analytics.sql_models import build_all
from platform_assets.cli import main as cli
from platform_assets.cli.dagster_home import ensure_dagster_home
from resources.duckdb_engine import DuckDBEngine
from resources.lance_io_manager import LanceIOManager
from tests.platform_assets.analytics import small_lake

pytestmark = pytest.mark.slow  # the module's lake materializes every analytics model once (about a minute)

DAYS = small_lake.DAYS
PANELS = 10


@pytest.fixture(scope="module")
def report_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("report") / "maslow"
    lake = home / "lake"
    inputs = small_lake.write(lake)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MASLOW_HOME", str(home))
        mp.setenv("DAGSTER_HOME", str(ensure_dagster_home(home / "dagster")))
        for name in ("MASLOW_LAKE", "MASLOW_LANDING"):
            mp.delenv(name, raising=False)
        assets, _ = build_all()
        resources = {"sql_engine": DuckDBEngine(root_uri=str(lake)),
                     "lance_io_manager": LanceIOManager(root_uri=str(lake))}
        daily = [a for a in assets if a.partitions_def is not None]
        other = [a for a in assets if a.partitions_def is None]
        with dg.DagsterInstance.get() as instance:
            dg.materialize([*daily], resources=resources, instance=instance,
                           tags={"dagster/asset_partition_range_start": DAYS[0],
                                 "dagster/asset_partition_range_end": DAYS[-1]})
            dg.materialize([mixture_targets, *other], resources=resources, instance=instance)
        for name in inputs:  # from here on only the aggregates exist
            shutil.rmtree(lake / f"{name}.lance")
        yield home, mp


def _report(report_home, *args: str) -> str:
    home, _ = report_home
    out = home / "reports" / "test.html"
    assert cli.main(["report", *args, "--out", str(out)]) == 0
    return out.read_text()


def test_report_is_self_contained_and_has_every_panel(report_home, capsys):
    page = _report(report_home, "--from", DAYS[0], "--to", DAYS[1])
    assert "report: " in capsys.readouterr().out
    panels = re.findall(r'<section class="panel" id="([^"]+)">(.*?)</section>', page, re.S)
    charts = {name: body for name, body in panels if not name.endswith("-table")}
    assert len(charts) == PANELS
    for name, body in charts.items():
        assert "<svg" in body and 'class="error"' not in body, name
        assert re.search(r"inputs read: .*v\d", body), name  # the Lance versions the aggregate was built from
    assert "<script" not in page.lower() and "@import" not in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)  # nothing fetched from anywhere
    assert f"{DAYS[0]} .. {DAYS[1]}" in page


def test_contamination_table_sums_only_the_days_in_range(report_home):
    page = _report(report_home, "--from", DAYS[1], "--to", DAYS[2])
    table = re.search(r'id="contamination-table">(.*?)</section>', page, re.S).group(1)
    rows = (re.findall(r"<td[^>]*>([^<]*)</td>", r) for r in table.split("<tr>"))
    cells = {row[0]: row for row in rows if row}
    hits = small_lake.tables()["contamination"].to_pylist()
    for eval_set in small_lake.EVAL_SETS:
        expected = sum(1 for h in hits if h["eval_set"] == eval_set and h["day"] in DAYS[1:])
        assert int(cells[eval_set][2]) == expected, cells  # columns: eval_set, clean_documents, contaminated


@pytest.mark.browser
@pytest.mark.integration
@pytest.mark.slow
def test_every_panel_renders_in_chromium(report_home):
    from playwright.sync_api import sync_playwright

    from tests.test_browser import CHROMIUM_FLAGS, chromium_or_skip

    chromium = chromium_or_skip()
    home, _ = report_home
    _report(report_home)
    shot = home / "report_screenshot.png"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1300, "height": 1000})
        try:
            page.goto((home / "reports" / "test.html").as_uri())
            sections = page.locator("section.panel")
            assert sections.count() == PANELS + 2
            for i in range(PANELS):
                section = sections.nth(i)
                svg = section.locator("svg").first
                box = svg.bounding_box()
                assert box and box["width"] > 100 and box["height"] > 100, section.get_attribute("id")
                assert svg.locator("path, rect").count() > 5, section.get_attribute("id")
                assert section.locator(".error").count() == 0, section.inner_text()
            assert "no rows" not in page.inner_text("body") and "failed" not in page.inner_text("body")
            page.screenshot(path=shot, full_page=True)
        finally:
            browser.close()
    assert shot.stat().st_size > 10_000
    print(f"screenshot: {shot}")
