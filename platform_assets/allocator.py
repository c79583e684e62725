"""glibc's malloc told to return large freed buffers to the system, so streaming Lance reads and writes stay
flat instead of growing with the day.

Installed by `platform_assets/__init__.py`, so every process that loads the platform (the code location, a
run worker, a pool or Ray worker importing a processor, `maslow`, the benches) has it before Lance starts
its threads. glibc serves an allocation of 128 KB or more with mmap, but raises that threshold to the size
of the largest such block freed (up to 32 MB); from then on Lance's page and batch buffers (megabytes each,
allocated and freed by many reader and writer threads, each with its own arena) come from the heaps, where
freed blocks stay mapped and fragment. Measured here (2026-12-06, a clean_documents day of 128 and 512 MiB
of text, one Lance file each): a bounded scan of the text grew RSS by 181 and 268 MB, and with the
threshold fixed at 4 MB by 154 and 168 MB; scanning and rewriting it (Lance's fragment writer) grew RSS by
278 and 374 MB, and with the threshold fixed by 131 and 131 MB. 4 MB, not less: at 1 MB the numpy
temporaries of the decontamination checker (a few MB a chunk) were mapped and unmapped each time (+12%
CPU); at 8 MB the writer grew again (+214 MB at 512 MiB). `mallopt(M_MMAP_THRESHOLD)` also turns the
adjustment off. Standard library only (`install_streaming` also sets Arrow's pool).
"""

from __future__ import annotations

import ctypes
import sys

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD, M_ARENA_MAX = -1, -3, -8  # glibc's <malloc.h>
MMAP_THRESHOLD = 4 << 20
STREAMING_THRESHOLD, STREAMING_ARENAS = 128 << 10, 2
POOL_WORKER_TRIM = 2 * MMAP_THRESHOLD  # glibc's own ratio when it moves the mmap threshold itself


def _mallopt(*settings: tuple[int, int]) -> bool:
    """Applies each (parameter, value) with glibc's `mallopt`, in order; False where the C library has none
    (not glibc), which keeps its own defaults, or where glibc refuses one."""
    if not sys.platform.startswith("linux"):
        return False
    mallopt = getattr(ctypes.CDLL(None), "mallopt", None)
    return bool(mallopt) and all(mallopt(param, value) for param, value in settings)


def install() -> bool:
    """Fixes glibc's mmap threshold at MMAP_THRESHOLD; False where the C library has no `mallopt` (not
    glibc), which keeps its own defaults. Idempotent."""
    return _mallopt((M_MMAP_THRESHOLD, MMAP_THRESHOLD))


def install_streaming() -> bool:
    """Tighter settings for a process that streams a whole day through Lance and Arrow while holding little
    (the clean stage's own process): threshold 128 KB, two heap arenas, and Arrow's pool on the system
    allocator (mimalloc keeps freed pages). With `install()`'s 4 MB alone the clean stage process of a
    256 MB day ended its pass 2 at 724 MB (+372 MB in the writes); with these at 336 MB (+13 MB)
    (docs/scaling.md, Memory). Not for every process: 1 MB already cost the decontamination checker 12%."""
    import pyarrow as pa

    pa.set_memory_pool(pa.system_memory_pool())
    return _mallopt((M_MMAP_THRESHOLD, STREAMING_THRESHOLD), (M_ARENA_MAX, STREAMING_ARENAS))


def install_pool_worker() -> bool:
    """For a local pool worker (`LocalExecutor`'s initializer), which runs numpy over batch after batch on a
    small heap: freed memory at the heap's top is kept up to POOL_WORKER_TRIM (8 MB) instead of returned.

    Fixing the mmap threshold (`install`) also stops glibc moving its trim threshold, which stays at 128 KB:
    a fresh worker's heap is mostly its top, so each batch's temporaries (a few MB, under the 4 MB threshold)
    were given back on free and faulted in again on the next call. Measured here (2026-12-07, the classifier
    stack on 1,024-document batches): 10 page faults and 25 us of system CPU per document in each worker,
    against 1 and 3 with this (the stack's whole CPU is ~190 us per document). The main process's large,
    fragmented heap rarely frees its top, which is why one process never showed it. Workers hold one arena
    each, so this costs at most 8 MB of a worker's RSS."""
    return _mallopt((M_TRIM_THRESHOLD, POOL_WORKER_TRIM))
