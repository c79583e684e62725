"""Scratch datasets of dead runs (`<lake>/_scratch/<run_id>.<what>.lance`) removed when the next run starts.

A killed run never reaches its `finally`, so its scratch stays; the clean stage (and `maslow gc`) call `sweep`
first. The folder is listed by Lance's directory namespace and datasets are dropped through Lance, so an
object store is reached with the same settings as every other Lance call.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import lance
import pyarrow as pa

from resources import lance_datasets

UNKNOWN_RUN_GRACE_S = 3600  # scratch of a run this instance does not know is kept this long
FOLDER = "_scratch"


def scratch_uri(root_uri: str, run_id: str, what: str) -> str:
    """Where run `run_id` keeps scratch `what` (a prefix: the run's datasets are `<it>.<name>.lance`)."""
    return f"{root_uri.rstrip('/')}/{FOLDER}/{run_id}.{what}"


def sweep(root_uri: str, is_alive: Callable[[str], bool | None], storage_options: dict | None = None,
          now: float | None = None) -> list[str]:
    """Removes the scratch datasets of runs that are over; returns the run ids removed.

    `is_alive(run_id)` is True (running: kept), False (over: removed) or None (unknown: removed once its
    scratch is older than UNKNOWN_RUN_GRACE_S, so another instance sharing the lake keeps its live scratch).
    """
    folder = f"{root_uri.rstrip('/')}/{FOLDER}"
    by_run: dict[str, list[str]] = {}
    for name in _names(folder, storage_options):
        by_run.setdefault(name.split(".", 1)[0], []).append(f"{folder}/{name}.lance")
    now = time.time() if now is None else now
    removed = []
    for run_id, uris in sorted(by_run.items()):
        alive = is_alive(run_id)
        young = alive is None and min(_age(u, now, storage_options) for u in uris) < UNKNOWN_RUN_GRACE_S
        if alive or young:
            continue
        for uri in uris:
            drop(uri, storage_options)
        removed.append(run_id)
    return removed


def drop(uri: str, storage_options: dict | None = None) -> None:
    """Deletes the dataset at `uri`, also the data files of one that died before its first commit."""
    try:
        lance.LanceDataset.drop(uri, storage_options=storage_options, ignore_not_found=True)
    except ValueError:  # no manifest: Lance refuses to drop what it cannot tell is a dataset, so make it one
        empty = pa.table({"_": pa.array([], pa.int8())})
        lance.write_dataset(empty, uri, mode="overwrite", storage_options=storage_options)
        lance.LanceDataset.drop(uri, storage_options=storage_options)


def _names(folder: str, storage_options: dict | None) -> list[str]:
    from lance.namespace import (  # its REST client costs ~1.5 s to import
        DirectoryNamespace,
        ListTablesRequest,
    )

    options = {f"storage.{k}": v for k, v in (storage_options or {}).items()}
    namespace = DirectoryNamespace(root=folder, manifest_enabled="false", **options)
    names, token = [], None
    while True:
        try:
            page = namespace.list_tables(ListTablesRequest(id=[], page_token=token))
        except (OSError, RuntimeError, ValueError):  # no scratch folder yet
            return names
        names += page.tables
        token = page.page_token
        if not token:
            return names


def _age(uri: str, now: float, storage_options: dict | None) -> float:
    """Seconds since the dataset's last commit; 0 when it has none yet (a first write may be under way)."""
    ds = lance_datasets.open_dataset(uri, storage_options=storage_options)
    return 0.0 if ds is None else now - ds.versions()[-1]["timestamp"].timestamp()
