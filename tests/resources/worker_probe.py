"""A task function in a module that imports nothing heavy, so a test can see what a pool worker loaded."""

import sys

import pyarrow as pa


def worker_state(batch: pa.RecordBatch) -> tuple[bool, bool]:
    """Whether this worker re-ran the parent's main module, and whether it imported dagster."""
    return hasattr(sys.modules["__main__"], "__file__"), "dagster" in sys.modules


def heap_keeps_freed_top(batch: pa.RecordBatch) -> bool:
    """Whether a freed 3.5 MB block (on the heap: under the platform's 4 MB mmap threshold) stays at the
    heap's top for the next batch (`keepcost`, the releasable top, holds it) rather than being trimmed back
    to the system. Wherever the block was carved from the top, free space included, freeing it merges it
    into the top; only a hole of 3.5 MB inside the heap, which a fresh process does not have, would not."""
    import ctypes

    libc = ctypes.CDLL(None)
    libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
    libc.free.argtypes = [ctypes.c_void_p]

    class Info(ctypes.Structure):
        _fields_ = [(n, ctypes.c_size_t) for n in ("arena", "ordblks", "smblks", "hblks", "hblkhd",
                                                   "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]

    libc.mallinfo2.restype = Info
    size = 7 << 19  # 3.5 MB
    libc.free(libc.malloc(size))
    return libc.mallinfo2().keepcost >= size
