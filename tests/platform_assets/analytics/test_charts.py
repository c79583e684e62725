"""Charts declared in model headers render offline, and each materialization carries figures and its chart."""

import base64
import re
import socket

import dagster as dg
import lance
import pyarrow as pa
import pytest

from platform_assets.analytics import charts
from platform_assets.analytics.mixture_targets import mixture_targets
from platform_assets.analytics.sql_models import build_all
from resources.duckdb_engine import DuckDBEngine
from resources.lance_io_manager import LanceIOManager
from tests.platform_assets.analytics import small_lake

TABLE = pa.table({"day": ["2026-03-01", "2026-03-01", "2026-03-02"], "kind": ["exact", "near", "exact"],
                  "rate": [0.1, 0.05, 0.2]})


def test_charts_render_to_svg_and_png_with_no_network(monkeypatch):
    def no_network(*args, **kwargs):
        raise OSError("network is off in this test")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    spec = charts.spec(charts.Chart(kind="line", x="day", y="rate", color="kind"), TABLE, "rates")
    svg, png = charts.to_svg(spec), charts.to_png(spec)
    assert svg.startswith("<svg") and len(re.findall(r"<path", svg)) > 3 and "near" in svg
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert charts.markdown_image(png, "x").startswith("![x](data:image/png;base64,iVBOR")


def test_a_chart_naming_a_missing_column_says_which():
    chart = charts.Chart(kind="bar", x="day", y="documents", facet="source")
    with pytest.raises(charts.ChartError, match=r"chart.y, chart.facet: no column \['documents', 'source'\]"):
        charts.spec(chart, TABLE, "t")
    with pytest.raises(charts.ChartError, match="chart.where"):
        charts.spec(charts.Chart(kind="bar", x="day", y="rate", where="nope = 1"), TABLE, "t")


@pytest.mark.slow  # materializes every daily model over two days, rendering a chart per partition
def test_each_partition_gets_its_own_figures_and_chart(tmp_path):
    lake = tmp_path / "lake"
    small_lake.write(lake)
    assets, checks = build_all()
    resources = {"sql_engine": DuckDBEngine(root_uri=str(lake)),
                 "lance_io_manager": LanceIOManager(root_uri=str(lake))}
    daily = [a for a in assets if a.partitions_def is not None]
    days = {"dagster/asset_partition_range_start": small_lake.DAYS[0],  # one run over two days
            "dagster/asset_partition_range_end": small_lake.DAYS[1]}
    with dg.instance_for_test() as instance:
        result = dg.materialize([*daily, *checks], tags=days, resources=resources,
                                instance=instance, selection=[a.key for a in daily])
        assert all(e.passed for e in result.get_asset_check_evaluations())
        events = result.get_asset_materialization_events()
        mats = {(m.asset_key.to_user_string(), m.partition): m.metadata
                for m in (e.event_specific_data.materialization for e in events)}
    funnel = [mats[("clean_funnel_by_reason", d)] for d in small_lake.DAYS[:2]]
    tables = small_lake.tables()
    for meta, day in zip(funnel, small_lake.DAYS[:2], strict=True):
        kept = sum(1 for d in tables["clean_documents"].column("day").to_pylist() if d == day)
        dropped = sum(1 for d in tables["rejected_documents"].column("day").to_pylist() if d == day)
        assert meta["documents_in"].value == kept + dropped and meta["documents_kept"].value == kept
        assert meta["drop_share/all"].value == pytest.approx(dropped / (kept + dropped))
    corpus = mats[("corpus_by_source_domain_language", small_lake.DAYS[1])]
    clean = tables["clean_documents"].to_pylist()
    assert corpus["tokens"].value == sum(r["token_count"] for r in clean if r["day"] == small_lake.DAYS[1])
    assert 0 < mats[("dedup_rates", small_lake.DAYS[0])]["dedup_rate"].value < 1
    for (name, _), meta in mats.items():
        image = re.match(r"!\[[^\]]*\]\(data:image/png;base64,([A-Za-z0-9+/=]+)\)", meta["chart"].value)
        assert image and base64.b64decode(image.group(1))[:4] == b"\x89PNG", name


def test_mixture_composition_sets_achieved_against_target(tmp_path):
    lake = tmp_path / "lake"
    small_lake.write(lake)
    assets, _ = build_all()
    resources = {"sql_engine": DuckDBEngine(root_uri=str(lake)),
                 "lance_io_manager": LanceIOManager(root_uri=str(lake))}
    composition = [a for a in assets if a.key.to_user_string() == "mixture_composition"]
    dg.materialize([mixture_targets, *composition], resources=resources, selection=["mixture_composition"])
    rows = lance.dataset(lake / "mixture_composition.lance").to_table().to_pylist()
    ratios = {(r["component"], r["measure"]): r["ratio"] for r in rows}
    # the achieved split is 30/30 tokens of the three samples (10 + 20 for a, 30 for b)
    assert ratios == {("a", "target"): 0.5, ("b", "target"): 0.5, ("a", "achieved"): 0.5,
                      ("b", "achieved"): 0.5}


SCANNED: list[tuple[str, object, str | None]] = []


class _CountingEngine(DuckDBEngine):
    """Records each ref's dataset and the Lance filter of the scan DuckDB is handed."""

    def query(self, sql, *, versions=None, ref_filters=None):
        for name, (ds, spec) in self.scans(sql, versions, ref_filters).items():
            SCANNED.append((name, ds, spec.filter))
        return super().query(sql, versions=versions, ref_filters=ref_filters)


@pytest.mark.slow
def test_a_daily_model_reads_only_its_day(tmp_path):
    lake = tmp_path / "lake"
    tables = small_lake.write(lake)
    assets, _ = build_all()
    daily = [a for a in assets if a.partitions_def is not None]
    day = small_lake.DAYS[1]
    SCANNED.clear()
    resources = {"sql_engine": _CountingEngine(root_uri=str(lake)),
                 "lance_io_manager": LanceIOManager(root_uri=str(lake))}
    dg.materialize(daily, partition_key=day, resources=resources)
    assert {name for name, _, _ in SCANNED} >= {"clean_documents", "rejected_documents", "contamination"}
    for name, ds, scan_filter in SCANNED:
        if "day" in tables[name].column_names:  # not one row of another day is read
            assert scan_filter and ds.count_rows(filter=f"({scan_filter}) AND day <> '{day}'") == 0, name
            assert ds.count_rows(filter=scan_filter) > 0, name
        else:
            assert name == "eval_items" and scan_filter is None


def test_grouped_bars_put_colors_side_by_side():
    chart = charts.Chart(kind="bar", x="kind", y="rate", color="day", grouped=True)
    assert charts.spec(chart, TABLE, "t")["encoding"]["xOffset"]["field"] == "day"
    assert "xOffset" not in charts.spec(chart.model_copy(update={"grouped": False}), TABLE, "t")["encoding"]
