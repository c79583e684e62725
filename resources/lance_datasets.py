"""Where an asset's Lance dataset lives, and opening or race-safely creating it (pure Lance, no Dagster)."""

from __future__ import annotations

from collections.abc import Sequence

import lance
import pyarrow as pa
from lance import LanceOperation

DATA_STORAGE_VERSION = "2.2"
MAX_ROWS_PER_FILE = 1 << 20
# Column data a fragment writer buffers before writing pages, all columns together. Lance's default is 8 MiB
# per column, so a writer held a whole narrow output until its file closed (document_classifications, ~40
# columns of ~100 bytes a row: +181 MB for 400,000 rows of 40 float columns, +83 MB with this cap).
DATA_CACHE_BYTES = 32 << 20


def dataset_uri(root_uri: str, key_path: Sequence[str]) -> str:
    return f"{root_uri.rstrip('/')}/{'/'.join(key_path)}.lance"


def open_dataset(uri: str, version: int | str | None = None, storage_options: dict | None = None):
    """The dataset at `uri`, at a version number or tag (time travel), or None when it does not exist."""
    try:
        return lance.dataset(uri, version=version, storage_options=storage_options)
    except (ValueError, FileNotFoundError):
        return None


def ensure_dataset(uri: str, schema: pa.Schema, storage_options: dict | None = None):
    """Opens the dataset at `uri`, creating it empty with `schema` if it does not exist yet.

    Safe when several writers create the same dataset at once. `write_dataset(mode="create")` is not:
    a create that loses the race is rebased by Lance into an `Overwrite` of a later version, which
    silently drops whatever another writer committed in between. Here the first version is committed
    as `Overwrite` with `read_version=0` and no retries, so exactly one creator wins, and a loser only
    re-opens what the winner made.
    """
    ds = open_dataset(uri, storage_options=storage_options)
    if ds is not None:
        return ds
    try:
        return lance.LanceDataset.commit(
            uri, LanceOperation.Overwrite(schema, []), read_version=0, max_retries=0,
            enable_stable_row_ids=True, storage_options=storage_options,
            commit_message="maslow: create dataset",
        )
    except OSError:  # another writer created it first; anything else fails the re-open below
        ds = open_dataset(uri, storage_options=storage_options)
        if ds is None:
            raise
        return ds
