"""Cold-cache timing for benches: drop given files from the OS page cache, count the bytes read from disk.

`evict(paths)` asks the kernel (`posix_fadvise(POSIX_FADV_DONTNEED)`) to drop the clean cached pages of those
files only, so a bench can time a read from a cold cache without root and without touching other processes'
cache (`/proc/sys/vm/drop_caches` would drop everyone's). Pages a process still has mapped stay cached: a
method that memory-maps a file must drop its mapping (reopen the file) before each eviction. `load(paths)`
reads them through once (a warm cache). `disk_read_bytes()` is this process's bytes fetched from storage so
far (all threads, `/proc/self/io`), which shows how much each method really read and whether an eviction took
(a cold read that reads 0 bytes from disk was not cold).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

PROC_IO = Path("/proc/self/io")


def files_under(paths: Iterable[Path]) -> list[Path]:
    """Every regular file of `paths` (a folder counts for every file below it)."""
    found: list[Path] = []
    for path in paths:
        found.extend(sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path])
    return found


def evict(files: Iterable[Path]) -> None:
    """Drop `files`' clean, unmapped pages from the page cache (a no-op where the OS has no fadvise)."""
    if not hasattr(os, "posix_fadvise"):
        return
    for path in files:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def load(files: Iterable[Path], chunk: int = 1 << 20) -> None:
    """Read `files` through once, so that they are in the page cache (a warm-cache measurement)."""
    for path in files:
        with open(path, "rb", buffering=0) as f:
            while f.read(chunk):
                pass


def can_evict() -> bool:
    """Whether this OS lets `evict` and `disk_read_bytes` work (Linux)."""
    return hasattr(os, "posix_fadvise") and disk_read_bytes() is not None


def disk_read_bytes() -> int | None:
    """Bytes this process has read from storage (`read_bytes` of /proc/self/io); None where unavailable."""
    try:
        for line in PROC_IO.read_text().splitlines():
            if line.startswith("read_bytes:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None
