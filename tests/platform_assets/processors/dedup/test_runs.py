import sys
from pathlib import Path

import numpy as np

from platform_assets.processors.dedup.runs import RunFile, SortedRuns


def test_a_run_file_reads_the_saved_rows_by_slice(tmp_path):
    rows = np.arange(30, dtype=np.uint64).reshape(10, 3)
    np.save(tmp_path / "run.npy", rows)
    run = RunFile(tmp_path / "run.npy")
    assert len(run) == 10
    for piece in (slice(0, 10), slice(3, 7), slice(9, 10), slice(8, 20), slice(5, 5)):
        assert np.array_equal(run[piece], rows[piece])


def test_spilled_runs_merge_in_key_order_without_mapping_them(tmp_path):
    runs = SortedRuns({"g": 1}, spill_bytes=160, directory=str(tmp_path))  # a run every 10 rows
    keys = np.random.default_rng(0).integers(0, 20, 95).astype(np.uint64)
    for start in range(0, 95, 5):
        runs.add("g", keys[start: start + 5], np.arange(start, start + 5))
    assert len(runs.runs["g"]) == 9
    stream = runs.merged("g", chunk_rows=4)
    first = next(stream)
    if sys.platform.startswith("linux"):  # mid-merge, no run is mapped into the process (RSS)
        assert str(runs.directory) not in Path("/proc/self/maps").read_text()
    merged = np.concatenate([first, *stream])
    order = np.lexsort((np.arange(95), keys))
    assert np.array_equal(merged[:, 0], keys[order]) and np.array_equal(merged[:, 1], order)
    runs.close()
