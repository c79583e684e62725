"""A task function in a module that imports nothing heavy, so a test can see what a pool worker loaded."""

import sys

import pyarrow as pa


def worker_state(batch: pa.RecordBatch) -> tuple[bool, bool]:
    """Whether this worker re-ran the parent's main module, and whether it imported dagster."""
    return hasattr(sys.modules["__main__"], "__file__"), "dagster" in sys.modules


def heap_keeps_freed_top(batch: pa.RecordBatch) -> bool:
    """Whether freeing a 3 MB block (on the heap: under the platform's 4 MB mmap threshold) leaves the heap
    that size (the block kept for the next batch) rather than trimmed back to the system."""
    import ctypes

    libc = ctypes.CDLL(None)
    libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
    libc.free.argtypes = [ctypes.c_void_p]

    class Info(ctypes.Structure):
        _fields_ = [(n, ctypes.c_size_t) for n in ("arena", "ordblks", "smblks", "hblks", "hblkhd",
                                                   "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]

    libc.mallinfo2.restype = Info
    before = libc.mallinfo2().arena
    block = libc.malloc(3 << 20)
    grown = libc.mallinfo2().arena
    libc.free(block)
    assert grown - before >= 3 << 20, "the block came from free space already in the heap"
    return libc.mallinfo2().arena == grown
