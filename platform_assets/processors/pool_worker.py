"""What the local executor's pool workers load, kept light (no dagster, no `resources` package, whose
`__init__` builds every resource): a spawn context whose workers do not re-run the parent's `__main__`
module, and the task wrapper that reads a batch from a file (`resources/batch_spool.py`).

Python's spawn start method imports the parent's main module in every child (as `__mp_main__`), so that
functions defined there can be unpickled. A Dagster run's main module is the `dagster` CLI and a bench's is
the bench, so each worker of the executor's pool began with their imports: an idle worker measured 187 MB
under a main that imports dagster and Lance, 19 MB without (docs/scaling.md, Memory). Workers here run
module-level functions only, so the children skip the main module and import just what a task needs.
`LocalExecutor` uses it unless the task's function is itself defined in `__main__`.
"""

from __future__ import annotations

import pickle
import threading
from collections.abc import Callable
from multiprocessing import context, popen_spawn_posix, spawn
from typing import Any

import pyarrow as pa

_loaded: dict[str, tuple] = {}  # in a worker: the arguments file it read last, by path
_swap = threading.Lock()  # two pools starting workers from two threads must not interleave the swap


class LeanPopen(popen_spawn_posix.Popen):
    """Spawn's launcher with the main-module entries left out of the child's preparation data."""

    def _launch(self, process_obj):
        """The standard launch with `spawn.get_preparation_data` (module state, read there) filtered for
        the time of this call, under a lock."""
        with _swap:
            full = spawn.get_preparation_data
            spawn.get_preparation_data = lambda name: {k: v for k, v in full(name).items()
                                                       if not k.startswith("init_main")}
            try:
                super()._launch(process_obj)
            finally:
                spawn.get_preparation_data = full


class LeanProcess(context.SpawnProcess):
    @staticmethod
    def _Popen(process_obj):
        return LeanPopen(process_obj)


class LeanContext(context.SpawnContext):
    """Pass as `mp_context` to a `ProcessPoolExecutor` (POSIX only)."""

    Process = LeanProcess


def run_on_file(fn: Callable[..., Any], path: str, args_path: str) -> Any:
    """In the worker: `fn(batch, *args)` on the batch memory-mapped from `path` (no copy is made; buffers
    still referenced by the result keep the mapping alive after the file is removed), with the arguments
    of `args_path`, read once per worker and call (`resources/batch_spool.py` writes both)."""
    args = _loaded.get(args_path)
    if args is None:
        with open(args_path, "rb") as source:
            args = pickle.load(source)
        _loaded.clear()
        _loaded[args_path] = args
    with pa.memory_map(path) as source:
        batch = pa.ipc.open_stream(source).read_next_batch()
    return fn(batch, *args)
