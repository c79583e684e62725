"""The `executor` resource: runs a pure function over a stream of Arrow batches, in order, memory-bounded.

`LocalExecutor` (a spawn process pool kept for the run, the default) and `RayExecutor` (a Ray cluster)
expose the same `map_batches(fn, batches, *args)`, so processors never know where they run. `fn` must be a
module-level function (it is pickled by reference for the pool, by value for Ray).

Both also run task graphs: `submit(fn, *args, num_returns=n)` returns a handle per result (a Ray object ref
on the cluster, the value itself locally) that later `submit`s take as arguments, and `get` turns handles
into values. A shuffle is tasks returning one part per bucket, and reducers taking the parts of their
bucket; on Ray the parts live in the object store (spilled to disk when it fills), never on the driver.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, ClassVar, Protocol, TypeVar

import dagster as dg
import pyarrow as pa
from pydantic import PrivateAttr

from platform_assets import allocator
from platform_assets.processors.pool_worker import LeanContext, run_on_file
from resources.batch_spool import BatchSpool, remove

R = TypeVar("R")
_REMOTE: dict[Callable, Any] = {}  # ray.remote(fn) once per function: each call would re-export it


class BatchExecutor(Protocol):
    def map_batches(
        self, fn: Callable[..., R], batches: Iterable[pa.RecordBatch], *args: Any
    ) -> Iterator[R]: ...


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def compact(batch: pa.RecordBatch) -> pa.RecordBatch:
    """The batch with buffers of its own when it is a slice of a larger one.

    Pickling (process pools) and Ray serialize a slice's whole parent buffers: a 1,024-row slice of a
    20,000-row batch would ship 20x its size. Copying just the slice first is cheap by comparison.
    """
    if batch.get_total_buffer_size() > 2 * batch.nbytes + 4096:
        return pa.concat_batches([batch])
    return batch


def _ordered(submit: Callable[[pa.RecordBatch], Any], collect: Callable[[Any], R],
             batches: Iterable[pa.RecordBatch], limit: int,
             cancel: Callable[[Any], Any] | None = None) -> Iterator[R]:
    """Submits batches while fewer than `limit` are in flight; yields results in submission order.

    When the consumer stops early (an error, `close()`), tasks not yet started are cancelled with `cancel`.
    """
    pending: deque = deque()
    try:
        for batch in batches:
            pending.append(submit(compact(batch)))
            if len(pending) >= limit:
                yield collect(pending.popleft())
        while pending:
            yield collect(pending.popleft())
    finally:
        if cancel is not None:
            for handle in pending:
                cancel(handle)


class LocalExecutor(dg.ConfigurableResource):
    """A process pool on this machine, started on first use and kept until `close` (or the run's end).

    A spawn worker spends a second or more of CPU importing what it runs (pyarrow, pandas, the classifier
    stack) before its first batch, so the pool is started once per resource instance, not once per
    `map_batches` call.

    Args:
        workers: processes (default: the cores this process may use); 0 runs `fn` in the calling process.
        max_in_flight: batches submitted but not yet consumed (default 2 per worker); bounds memory.
    """

    workers: int | None = None
    max_in_flight: int | None = None
    _pool: ProcessPoolExecutor | None = PrivateAttr(default=None)
    _spool: BatchSpool | None = PrivateAttr(default=None)
    _lean: bool = PrivateAttr(default=False)

    def worker_count(self) -> int:
        return cores() if self.workers is None else self.workers

    def pool(self, fn: Callable | None = None) -> ProcessPoolExecutor:
        """The worker processes (spawn, not fork: Lance and its tokio runtime are not fork-safe).

        Workers skip the parent's main module (pool_worker) unless a task's function `fn` lives there (the
        pool then restarts as a plain spawn pool): a worker's RSS is its own imports and its task's, not
        the parent's imports (the `dagster` CLI of a run, a bench).
        """
        main = fn is not None and fn.__module__ == "__main__"
        if self._pool is not None and main and self._lean:
            self.close()
        if self._pool is None:
            self._lean = not main and os.name == "posix"
            context = LeanContext() if self._lean else mp.get_context("spawn")
            self._pool = ProcessPoolExecutor(self.worker_count(), mp_context=context,
                                             initializer=allocator.install_pool_worker)
            self._spool = BatchSpool()
        return self._pool

    def _submit(self, fn: Callable[..., R], batch: pa.RecordBatch, args: tuple, args_path: str | None
                ) -> Future:
        """A task whose batch travels as a shared-memory file (`batch_spool`), removed when it is done."""
        path = self._spool.write(batch) if self._spool is not None and args_path is not None else None
        if path is None:
            return self.pool().submit(fn, batch, *args)
        future = self.pool().submit(run_on_file, fn, path, args_path)
        future.add_done_callback(lambda _: remove(path))
        return future

    def map_batches(self, fn: Callable[..., R], batches: Iterable[pa.RecordBatch], *args: Any) -> Iterator[R]:
        workers = self.worker_count()
        if workers <= 0:
            yield from (fn(batch, *args) for batch in batches)
            return
        self.pool(fn)
        limit = self.max_in_flight or 2 * workers
        args_path = self._spool.write_args(args) if self._spool is not None else None
        try:
            yield from _ordered(lambda b: self._submit(fn, b, args, args_path), lambda f: f.result(),
                                batches, limit, cancel=lambda f: f.cancel())
        except BrokenProcessPool:
            self.close()  # a worker died (killed, out of memory): the next call starts a fresh pool
            raise
        finally:
            remove(args_path)

    def close(self) -> None:
        """Stops the workers (waiting for running tasks); a later call starts new ones."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        if self._spool is not None:
            self._spool.close()
            self._spool = None

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        self.close()

    distributed: ClassVar[bool] = False  # True: the clean stage runs as a task graph on it

    def submit(self, fn: Callable[..., Any], *args: Any, num_returns: int = 1) -> Any:
        """Runs `fn` now, in this process (a task graph on one machine needs no scheduler)."""
        return fn(*args)

    def get(self, handles: Any) -> Any:
        return handles

    def parallelism(self) -> int:
        return max(1, self.worker_count())


class RayExecutor(dg.ConfigurableResource):
    """Tasks on a Ray cluster.

    Args:
        address: a running cluster (`ray://host:10001` or `auto`); None starts a local one for this run.
        num_cpus: CPUs of the local cluster (default: all); ignored with `address`.
        max_in_flight: tasks submitted but not yet consumed (default 2 per cluster CPU); bounds memory.
        runtime_env: Ray runtime env for remote clusters, e.g. {"working_dir": "."} to ship this repo.
    """

    address: str | None = None
    num_cpus: int | None = None
    max_in_flight: int | None = None
    runtime_env: dict[str, Any] | None = None
    _started: bool = PrivateAttr(default=False)

    def connect(self) -> None:
        import ray

        if ray.is_initialized():
            return
        ray.init(address=self.address, num_cpus=None if self.address else self.num_cpus,
                 runtime_env=self.runtime_env, include_dashboard=False, log_to_driver=True)
        self._started = True

    def map_batches(self, fn: Callable[..., R], batches: Iterable[pa.RecordBatch], *args: Any) -> Iterator[R]:
        import ray

        self.connect()
        task = ray.remote(fn)
        refs = [ray.put(a) for a in args]  # shipped once, not with every batch
        limit = self.max_in_flight or 2 * max(1, int(ray.cluster_resources().get("CPU", 1)))
        yield from _ordered(lambda b: task.remote(b, *refs), ray.get, batches, limit)

    distributed: ClassVar[bool] = True

    def submit(self, fn: Callable[..., Any], *args: Any, num_returns: int = 1) -> Any:
        """A task on the cluster; object refs among `args` are resolved before it runs."""
        self.connect()
        remote = _REMOTE.get(fn)
        if remote is None:
            import ray

            remote = _REMOTE[fn] = ray.remote(fn)
        return remote.options(num_returns=num_returns).remote(*args)

    def get(self, handles: Any) -> Any:
        import ray

        return ray.get(handles)

    def parallelism(self) -> int:
        import ray

        self.connect()
        return max(1, int(ray.cluster_resources().get("CPU", 1)))

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._started:
            import ray

            ray.shutdown()
            self._started = False
