"""Batches reach pool workers through shared-memory files: the same rows, the file gone once done."""

from __future__ import annotations

import os
import subprocess

import pyarrow as pa

from platform_assets.processors.pool_worker import run_on_file
from resources.batch_spool import BatchSpool, remove, sweep
from resources.executor import LocalExecutor


def columns(batch: pa.RecordBatch, factor: int) -> dict:
    return {**batch.to_pydict(), "factor": factor}


def test_a_batch_read_back_from_its_file_is_the_same_batch():
    spool = BatchSpool()
    whole = pa.record_batch({"x": list(range(10)), "text": [f"doc {i}" for i in range(10)]})
    path, args_path = spool.write(whole.slice(3, 4)), spool.write_args((2,))
    expected = {"x": [3, 4, 5, 6], "text": ["doc 3", "doc 4", "doc 5", "doc 6"], "factor": 2}
    assert run_on_file(columns, path, args_path) == expected
    remove(args_path)  # read once: the worker keeps the arguments for the rest of the call
    assert run_on_file(columns, path, args_path) == expected
    remove(path)
    assert list(spool.folder.iterdir()) == []
    spool.close()
    assert not spool.folder.exists()


def test_a_batch_that_cannot_be_written_is_shipped_pickled(tmp_path):
    spool = BatchSpool()
    spool.close()  # the folder is gone, so the write fails as on a full tmpfs
    assert spool.write(pa.record_batch({"x": [1]})) is None
    executor = LocalExecutor(workers=1)
    executor._spool = spool
    executor._pool = _InlinePool()
    assert list(executor.map_batches(columns, [pa.record_batch({"x": [1]})], 5)) == [{"x": [1], "factor": 5}]


class _InlinePool:
    """A pool stand-in that runs the task at once (the fallback path needs no worker process)."""

    def submit(self, fn, *args):
        from concurrent.futures import Future

        future: Future = Future()
        future.set_result(fn(*args))
        return future


def test_the_folders_of_processes_that_are_gone_are_swept(tmp_path):
    gone = subprocess.Popen(["true"])
    gone.wait()
    dead, mine = tmp_path / f"maslow-batches-{gone.pid}-abc", tmp_path / f"maslow-batches-{os.getpid()}-def"
    for folder in (dead, mine):
        folder.mkdir()
        (folder / "0.arrow").write_bytes(b"x")
    sweep(tmp_path)
    assert not dead.exists() and mine.exists()
