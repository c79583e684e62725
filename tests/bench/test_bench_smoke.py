"""Smoke run of bench/lance_vs_parquet at a tiny size, plus the bench helpers. No timing asserts."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bench import __main__ as bench_cli
from bench import lance_vs_parquet as lvp
from bench.common import median_times, write_result

OPS = {"filtered_scan_narrow", "filtered_scan_wide", "random_take", "blob_stream"}


def test_quick_run_writes_every_figure(maslow_home):
    lvp.main(["--quick", "--rows", "3000", "--blobs", "12", "--take", "50", "--repeat", "1"])

    figures = json.loads((maslow_home / "bench" / "lance_vs_parquet.json").read_text())
    assert {"name", "quick", "params", "units", "medians_ms", "ratios", "targets", "sizes_mb", "cores",
            "timestamp"} <= set(figures)
    assert figures["name"] == "lance_vs_parquet" and figures["quick"] is True
    params = figures["params"]
    assert (params["rows"], params["blobs"], params["take_rows"], params["repeat"]) == (3000, 12, 50, 1)
    assert set(figures["medians_ms"]) == set(figures["ratios"]) == OPS
    for op in OPS:
        assert set(figures["medians_ms"][op]) == {"lance", "parquet_rg64k", "parquet_default"}
        assert all(t > 0 for t in figures["medians_ms"][op].values())
        assert set(figures["ratios"][op]) == {"parquet_rg64k_over_lance", "parquet_default_over_lance"}
    assert set(figures["targets"]) == {"random_take_vs_tuned", "filtered_scan_narrow_vs_tuned",
                                       "filtered_scan_wide_vs_tuned", "blob_stream_vs_best_parquet"}
    assert all(isinstance(t["met"], bool) and "goal" in t for t in figures["targets"].values())
    files = {"docs.lance", "docs_rg64k.parquet", "docs_default.parquet", "blobs.lance", "blobs_rg64k.parquet"}
    assert files <= set(figures["sizes_mb"])
    assert isinstance(figures["cores"], int) and figures["cores"] >= 1


def test_parquet_take_returns_rows_in_requested_order(tmp_path):
    table = pa.table({"id": pa.array(np.arange(1000, dtype=np.int64)), "x": pa.array(np.arange(1000) * 2)})
    pq.write_table(table, tmp_path / "t.parquet", row_group_size=64)
    pf = pq.ParquetFile(tmp_path / "t.parquet")
    starts = np.cumsum([0] + [pf.metadata.row_group(i).num_rows for i in range(pf.num_row_groups)])[:-1]
    idx = np.array([999, 0, 64, 63, 500, 130])

    got = lvp.parquet_take(pf, starts, idx)

    assert got.column("id").to_pylist() == [999, 0, 64, 63, 500, 130]
    assert got.column("x").to_pylist() == [1998, 0, 128, 126, 1000, 260]


def test_median_times_interleaves_rounds_and_skips_warmup():
    calls: list[tuple[str, int]] = []
    medians = median_times({m: (lambda r, m=m: calls.append((m, r))) for m in ("a", "b")}, repeat=3, warmup=1)

    assert set(medians) == {"a", "b"}
    assert calls == [("a", 0), ("b", 0), ("b", 1), ("a", 1), ("a", 2), ("b", 2), ("b", 3), ("a", 3)]


def test_median_times_runs_before_untimed_ahead_of_every_call():
    calls: list[tuple[str, int | str]] = []
    median_times({m: (lambda r, m=m: calls.append((m, r))) for m in ("a", "b")}, repeat=1, warmup=1,
                 before=lambda m: calls.append((m, "before")))

    assert calls == [("a", "before"), ("a", 0), ("b", "before"), ("b", 0),
                     ("b", "before"), ("b", 1), ("a", "before"), ("a", 1)]


def test_write_result_adds_cores_and_timestamp(maslow_home):
    path = write_result("unit", {"medians_ms": {"x": 1.5}})

    assert path == maslow_home / "bench" / "unit.json"
    record = json.loads(path.read_text())
    assert record["medians_ms"] == {"x": 1.5} and record["name"] == "unit"
    assert record["cores"] >= 1 and record["timestamp"].endswith("+00:00")
    assert len(record["load_average"]) == 3


def test_bench_cli_discovers_benches_and_rejects_unknown_names():
    assert "lance_vs_parquet" in bench_cli.discover()
    assert "common" not in bench_cli.discover()
    with pytest.raises(SystemExit) as exc:
        bench_cli.main(["no_such_bench"])
    assert exc.value.code == 2


def test_classify_throughput_writes_where_the_time_goes(maslow_home):
    from bench import classify_throughput

    assert classify_throughput.main(["--docs", "300", "--workers", "2"]) == 0
    figures = json.loads((maslow_home / "bench" / "classify_throughput.json").read_text())
    assert figures["docs"] == 300 and figures["workers"] == 2
    methods = {"stack, 1 process", "stack, 2 processes", "naive quality (Python loop)"}
    assert set(figures["docs_per_s"]) == methods
    assert set(figures["system_cpu_us_per_doc"]) == {"one process", "pool, workers"}
    assert figures["cpu_us_per_doc"]["pool, workers"] > 0  # the workers' CPU is read, not only this process's
    assert set(figures["cpu_us_per_doc_by_classifier"]) == {
        "quality_v1", "domain_v1", "difficulty_math_v1", "difficulty_code_v1", "difficulty_mc_v1"}
    assert isinstance(figures["target_met"], bool)


def test_synthetics_bench_runs_every_gate_as_the_asset_does(maslow_home):
    from bench import synthetics

    assert synthetics.main(["--prompts", "300", "--baseline-prompts", "10"]) == 0
    figures = json.loads((maslow_home / "bench" / "synthetics.json").read_text())
    dropped, planted = figures["dropped_by_reason"], figures["planted"]
    assert figures["prompts"] == 300 and figures["candidates"] == 300
    # the corpus gate looks the corpus up through near_dup_index's sorted runs: every planted copy is found
    assert dropped.get("duplicates_corpus", 0) >= planted["corpus_copies"] > 0
    assert dropped.get("contaminated", 0) >= planted["eval_leaks"] > 0


def test_decontamination_bench_agrees_with_its_reference(maslow_home):
    from bench import decontamination

    decontamination.main(["--quick"])  # raises when the checker's rows differ from the reference's
    figures = json.loads((maslow_home / "bench" / "decontamination.json").read_text())
    assert figures["quick"] is True and figures["rows"] > 0 and figures["flagged_docs"] > 0
