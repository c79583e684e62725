"""Arrow batches handed to local pool workers through files in shared memory instead of the task pipe.

A process pool pickles each task (protocol 4) and pushes it through a pipe: for a 1,024-document batch of web
text (~3 MB) that is ~6 ms of CPU in the sending process (copies into fresh buffers, each page faulted in) and
~4 ms in the worker, next to ~260 ms of classification, plus the 1 MB quality model with every task: the
pool's main loss against one process. Written once as Arrow IPC into a file in `/dev/shm` (a tmpfs: memory,
never disk) and memory-mapped by the worker, the batch costs one copy and is read without another. The call's
other arguments (the model) go the same way, once per call: each worker reads them on its first batch. A file
belongs to the sending process, which removes it once the task is done (or was cancelled); the whole folder
goes when the pool closes (or, never closed, when it is garbage-collected or the interpreter exits), and the
folder of a process killed before it could is removed by the next spool. The worker's side, `run_on_file`, is
in processors/pool_worker.py (a worker importing this package would run resources/__init__: dagster and every
resource).
"""

from __future__ import annotations

import itertools
import os
import pickle
import shutil
import tempfile
import weakref
from pathlib import Path

import psutil
import pyarrow as pa

SHARED_MEMORY = Path("/dev/shm")
PREFIX = "maslow-batches-"  # then the owning process's pid


class BatchSpool:
    """A private folder of batch files, one per task in flight."""

    def __init__(self) -> None:
        where = SHARED_MEMORY if SHARED_MEMORY.is_dir() else Path(tempfile.gettempdir())
        sweep(where)
        self.folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=where))
        self._names = itertools.count()
        self._remove = weakref.finalize(self, shutil.rmtree, self.folder, True)  # also if never closed

    def write(self, batch: pa.RecordBatch) -> str | None:
        """The file now holding `batch`, or None when it does not fit (a full tmpfs): ship it pickled."""
        path = self.folder / f"{next(self._names)}.arrow"
        try:
            with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_stream(sink, batch.schema) as writer:
                writer.write_batch(batch)
        except OSError:
            path.unlink(missing_ok=True)
            return None
        return str(path)

    def write_args(self, args: tuple) -> str | None:
        """The file now holding `args` pickled (a worker loads it once, not with every batch), or None."""
        path = self.folder / f"{next(self._names)}.args"
        try:
            with open(path, "wb") as sink:
                pickle.dump(args, sink, protocol=pickle.HIGHEST_PROTOCOL)
        except OSError:
            path.unlink(missing_ok=True)
            return None
        return str(path)

    def close(self) -> None:
        self._remove()


def sweep(where: Path) -> None:
    """Removes the spool folders of processes that are gone (killed before they could remove their own):
    tmpfs is memory, and nothing else would ever free it."""
    for folder in where.glob(f"{PREFIX}*-*"):
        pid = folder.name[len(PREFIX):].split("-", 1)[0]
        if pid.isdigit() and not psutil.pid_exists(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def remove(path: str | None) -> None:
    if path is not None:
        Path(path).unlink(missing_ok=True)
