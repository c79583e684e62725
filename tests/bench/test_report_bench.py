"""Smoke run of bench/report at a tiny size: every figure is written. No timing asserts."""

import json

from bench import report


def test_quick_report_bench_writes_its_figures(maslow_home):
    report.main(["--quick", "--days", "3", "--docs-per-day", "20"])
    figures = json.loads((maslow_home / "bench" / "report.json").read_text())
    assert set(figures["seconds"]) == {"aggregates", "recompute", "one_day_models", "materialize_per_day"}
    assert figures["params"] == {"days": 3, "docs_per_day": 20, "models": 7}
    assert figures["ratios"]["recompute_over_aggregates"] > 0
    assert isinstance(figures["targets"]["aggregates_faster"]["met"], bool)
