"""Smoke run of bench/media at a tiny size: every figure is written. No timing asserts."""

from __future__ import annotations

import json

import pytest

from bench import __main__ as bench_cli
from bench import media, media_data


def test_quick_run_writes_every_figure(maslow_home):
    media.main(["--quick", "--images", "24", "--take", "8", "--repeat", "1"])
    figures = json.loads((maslow_home / "bench" / "media.json").read_text())
    assert figures["params"]["images"] == 24 and figures["quick"] is True
    parquet = {f"parquet_rg{g}" for g in media_data.PARQUET_ROW_GROUPS}
    assert set(figures["medians_ms"]) == set(figures["cpu_ms"]) == {"random_take", "full_stream",
                                                                   "random_take_parts"}
    assert set(figures["medians_ms"]["random_take"]) == {"lance_loader", "lance_take_blobs",
                                                         "pread_floor"} | parquet
    assert set(figures["medians_ms"]["full_stream"]) == {"lance_loader", "lance_in_order",
                                                         "tar_sequential"} | parquet
    assert all(t > 0 for op in figures["medians_ms"].values() for t in op.values())
    assert set(figures["targets"]) == {"random_take_vs_parquet", "full_stream_vs_tar"}
    assert set(figures["bounds"]) == {"parquet_over_lance_loader_cpu", "parquet_over_pread_floor_cpu",
                                      "lance_fixed_cost_share_cpu"}
    assert "media" in bench_cli.discover() and "media_data" not in bench_cli.discover()


def test_methods_that_disagree_on_the_bytes_fail_the_check():
    same = {"a": lambda _r: [b"x", b"y"], "b": lambda _r: [b"x", b"y"]}
    media.check({"random_take": same, "full_stream": {**same, "c": lambda _r: [b"y", b"x"]}})
    with pytest.raises(AssertionError, match="random_take"):
        media.check({"random_take": {**same, "c": lambda _r: [b"y", b"x"]}})  # same files, other order
    with pytest.raises(AssertionError, match="full_stream"):
        media.check({"full_stream": {**same, "c": lambda _r: [b"x", b"z"]}})
