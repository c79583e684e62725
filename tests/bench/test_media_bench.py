"""Smoke run of bench/media at a tiny size: every figure is written. No timing asserts."""

from __future__ import annotations

import json

from bench import __main__ as bench_cli
from bench import media


def test_quick_run_writes_every_figure(maslow_home):
    media.main(["--quick", "--images", "24", "--take", "8", "--repeat", "1"])
    figures = json.loads((maslow_home / "bench" / "media.json").read_text())
    assert figures["params"]["images"] == 24 and figures["quick"] is True
    assert set(figures["medians_ms"]) == {"random_take", "full_stream"}
    assert set(figures["medians_ms"]["full_stream"]) == {"lance_loader", "lance_in_order", "parquet",
                                                         "tar_sequential"}
    assert all(t > 0 for op in figures["medians_ms"].values() for t in op.values())
    assert set(figures["targets"]) == {"random_take_vs_parquet", "full_stream_vs_tar"}
    assert "media" in bench_cli.discover()
