"""Scratch spools of dead runs (`<lake>/_scratch/<run_id>/`) removed when the next run starts.

A killed run never reaches its `finally`, so its spool stays; the clean stage calls `sweep` first. Only a
local lake is swept for now; on an object store the spools of killed runs stay under `_scratch/`.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pyarrow as pa
import pyarrow.fs as pafs

UNKNOWN_RUN_GRACE_S = 3600  # a spool of a run this instance does not know is kept this long


def sweep(root_uri: str, is_alive: Callable[[str], bool | None], now: float | None = None) -> list[str]:
    """Removes `_scratch/<run_id>` folders whose run is over; returns the run ids removed.

    `is_alive(run_id)` is True (running: kept), False (over: removed) or None (unknown: removed once older
    than UNKNOWN_RUN_GRACE_S, so another instance sharing the lake keeps its live spools).
    """
    if "://" in root_uri and not root_uri.startswith("file://"):
        return []  # object stores: not swept yet (pyarrow would need the store's settings Lance has)
    try:
        fs, path = pafs.FileSystem.from_uri(f"{root_uri.rstrip('/')}/_scratch")
        entries = fs.get_file_info(pafs.FileSelector(path, allow_not_found=True))
    except (OSError, ValueError, pa.ArrowException):  # a store pyarrow cannot reach: nothing swept
        return []
    now = time.time() if now is None else now
    removed = []
    for entry in entries:
        if entry.type != pafs.FileType.Directory:
            continue
        alive = is_alive(entry.base_name)
        age = now - entry.mtime.timestamp() if entry.mtime else float("inf")
        if alive is False or (alive is None and age > UNKNOWN_RUN_GRACE_S):
            fs.delete_dir(entry.path)
            removed.append(entry.base_name)
    return removed
