"""A scratch Lance dataset that rows are appended to in large chunks and read back by stream or position."""

from __future__ import annotations

import shutil

import lance
import pyarrow as pa

READ_AHEAD_BYTES = 32 << 20


class Spool:
    """Rows of one kind spooled to `<uri>` (a scratch dataset under the lake), appended in ~`flush_bytes`
    chunks so memory holds at most one chunk."""

    def __init__(self, uri: str, flush_bytes: int = 32 << 20, storage_options: dict | None = None):
        self.uri, self.flush_bytes, self.storage_options = uri, flush_bytes, storage_options
        self.schema: pa.Schema | None = None
        self.rows = 0
        self._buffer: list[pa.RecordBatch] = []
        self._buffered = 0
        self._written = False

    def add(self, data: pa.RecordBatch | pa.Table) -> None:
        if self.schema is None:
            self.schema = data.schema
        batches = data.to_batches() if isinstance(data, pa.Table) else [data]
        for batch in batches:
            if batch.num_rows:
                self._buffer.append(batch.cast(self.schema) if batch.schema != self.schema else batch)
                self._buffered += batch.nbytes
                self.rows += batch.num_rows
        if self._buffered >= self.flush_bytes:
            self.flush()

    def flush(self) -> None:
        if not self._buffer:
            return
        table = pa.Table.from_batches(self._buffer, schema=self.schema)
        # "overwrite" first: a retried run may find the scratch of its failed attempt ("create" when there is
        # none: Lance logs a WARN when overwriting or appending to a dataset that does not exist).
        mode = "append" if self._written else "overwrite" if self._exists() else "create"
        lance.write_dataset(table, self.uri, mode=mode, storage_options=self.storage_options)
        self._written = True
        self._buffer, self._buffered = [], 0

    def _exists(self) -> bool:
        try:
            lance.dataset(self.uri, storage_options=self.storage_options)
        except (ValueError, FileNotFoundError):
            return False
        return True

    def _dataset(self):
        self.flush()
        return lance.dataset(self.uri, storage_options=self.storage_options) if self._written else None

    def reader(self, columns: list[str] | None = None, batch_size: int = 1024) -> pa.RecordBatchReader:
        ds = self._dataset()
        schema = self.schema or pa.schema([])
        if columns:
            schema = pa.schema([schema.field(c) for c in columns])
        if ds is None:
            return pa.RecordBatchReader.from_batches(schema, iter(()))
        # Small batches and bounded read-ahead: Lance's defaults read up to 2 GiB (io_buffer_size) ahead of a
        # slow consumer, which made the stage process grow with the partition.
        return ds.scanner(columns=columns, batch_size=batch_size, scan_in_order=True, batch_readahead=2,
                          fragment_readahead=1, io_buffer_size=READ_AHEAD_BYTES).to_reader()

    def take(self, positions: list[int], columns: list[str] | None = None) -> pa.Table:
        """Rows at insertion positions `positions` (sorted ascending)."""
        ds = self._dataset()
        return ds.take(positions, columns=columns)


def remove_tree(uri: str, spools: list[Spool] = (), storage_options: dict | None = None) -> None:
    """Deletes a scratch folder: each spool's dataset through Lance (so an object store is reached with the
    same settings as every other Lance call), then the folder itself when it is local. Missing is fine."""
    for spool in spools:
        try:
            lance.LanceDataset.drop(spool.uri, storage_options=storage_options, ignore_not_found=True)
        except ValueError:  # data files but no manifest (a crash before the first commit): the next run's
            pass  # scratch sweep drops them (resources/lance_scratch.py)
    if "://" not in uri:
        shutil.rmtree(uri, ignore_errors=True)
