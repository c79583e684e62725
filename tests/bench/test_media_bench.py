"""Smoke run of bench/media at a tiny size: every figure is written. No timing asserts."""

from __future__ import annotations

import json
import os

import pytest

from bench import __main__ as bench_cli
from bench import media, media_data, media_methods, page_cache

PARQUET = {f"parquet_rg{g}_{mode}" for g in media_data.PARQUET_ROW_GROUPS
           for mode in media_methods.PARQUET_MODES}
FLOORS = {"lance_loader", "pread_floor"}  # plus lance_uring where the kernel allows io_uring


def test_quick_run_writes_every_figure(disk_maslow_home):  # the cold-cache calls must read from a disk
    media.main(["--quick", "--images", "24", "--take", "8", "--repeat", "1"])
    figures = json.loads((disk_maslow_home / "bench" / "media.json").read_text())
    assert figures["params"]["images"] == 24 and figures["quick"] is True
    cold = {"random_take_cold", "loader_batch_cold"} if page_cache.can_evict() else set()
    ops = {"random_take", "loader_batch", "full_stream", "random_take_parts"} | cold
    assert set(figures["medians_ms"]) == set(figures["cpu_ms"]) == set(figures["disk_mb"]) == ops
    takes = figures["medians_ms"]
    assert set(takes["random_take"]) - {"lance_uring"} == FLOORS | PARQUET | {"lance_take_blobs",
                                                                            "memory_copy_floor"}
    assert set(takes["loader_batch"]) - {"lance_uring"} == FLOORS | PARQUET | {"memory_copy_floor"}
    for op in cold:
        assert set(takes[op]) - {"lance_uring"} == FLOORS | PARQUET
        assert all(mb > 0 for mb in figures["disk_mb"][op].values())  # every cold call read from disk
    assert figures["cold_cache_verified"] is bool(cold)
    assert set(takes["full_stream"]) == {"lance_loader", "lance_loader_read_ahead_8", "lance_in_order",
                                         "tar_sequential"} | {
        f"parquet_rg{g}" for g in media_data.PARQUET_ROW_GROUPS}
    assert all(t > 0 for op in takes.values() for t in op.values())
    assert set(figures["targets"]) == {f"{op}_vs_parquet" for op in media.TAKE_OPS if op in ops} | {
        "full_stream_vs_tar"}
    assert "random_take: parquet_over_memory_copy_floor_cpu" in figures["bounds"]
    assert 0 < figures["needed_mb"]["batch"] <= figures["needed_mb"]["take"]
    assert "media" in bench_cli.discover() and not {"media_data", "media_methods",
                                                    "page_cache"} & set(bench_cli.discover())


def test_methods_that_disagree_on_the_bytes_fail_the_check():
    same = {"a": lambda _r: [b"x", b"y"], "b": lambda _r: [b"x", b"y"]}
    media.check({"random_take": same, "full_stream": {**same, "c": lambda _r: [b"y", b"x"]}})
    with pytest.raises(AssertionError, match="loader_batch_cold"):
        media.check({"loader_batch_cold": {**same, "c": lambda _r: [b"y", b"x"]}})  # same files, other order
    with pytest.raises(AssertionError, match="full_stream"):
        media.check({"full_stream": {**same, "c": lambda _r: [b"x", b"z"]}})


@pytest.mark.skipif(not page_cache.can_evict(), reason="needs posix_fadvise and /proc/self/io (Linux)")
def test_an_evicted_file_is_read_from_disk_again(disk_tmp_path):
    path = disk_tmp_path / "data.bin"
    path.write_bytes(os.urandom(1 << 20))
    os.sync()  # dirty pages cannot be dropped
    assert page_cache.files_under([disk_tmp_path]) == [path]

    def disk_bytes_of_a_read() -> int:
        start = page_cache.disk_read_bytes()
        assert len(path.read_bytes()) == 1 << 20
        return page_cache.disk_read_bytes() - start

    disk_bytes_of_a_read()
    assert disk_bytes_of_a_read() == 0  # cached
    page_cache.evict([path])
    if (read := disk_bytes_of_a_read()) == 0:
        pytest.skip(f"{disk_tmp_path} is on a file system whose pages cannot be evicted (tmpfs?)")
    assert read >= 1 << 20
