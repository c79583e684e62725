"""DuckDB in-process over Lance scanners with the projection and filter each ref needs (sql_pushdown).

Each `{{ ref('asset') }}` resolves to the asset's Lance dataset (`<root_uri>/<asset>.lance`, as
`LanceIOManager` writes it) and is registered with DuckDB as a Lance scanner. The query is confined first
(resources/sql_guard.py); DuckDB then runs without file-system or network access, without installing or
loading extensions, and with its configuration locked once the scanners are registered.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator, Mapping

import duckdb
import pyarrow as pa

from resources.sql_engine import BATCH_ROWS, LakeMixin, SqlEngine
from resources.sql_guard import confine
from resources.sql_pushdown import ScanSpec, plan_scans
from resources.sql_refs import SqlRefError, placeholder, refs, render

LOCKED_DOWN = {"enable_external_access": False, "autoinstall_known_extensions": False,
               "autoload_known_extensions": False}


class DuckDBEngine(LakeMixin, SqlEngine):
    """DuckDB in-process over Lance scanners with pushed-down projection and filters.

    Args:
        root_uri: the lake root (`LanceIOManager.root_uri`); required to read refs.
        storage_options: passed to Lance for object stores.
        threads: DuckDB worker threads (None = DuckDB's default).
        memory_limit: DuckDB memory limit, e.g. "4GB" (None = DuckDB's default).
    """

    root_uri: str = ""
    storage_options: dict[str, str] | None = None
    threads: int | None = None
    memory_limit: str | None = None

    def scans(self, sql: str, versions: Mapping[str, int] | None = None,
              ref_filters: Mapping[str, str] | None = None) -> dict[str, tuple[object, ScanSpec]]:
        """Each ref's opened dataset and the scan it gets (what `query` registers)."""
        datasets = {}
        for name in refs(sql):
            ds = self.dataset(name, (versions or {}).get(name))
            if ds is None:
                raise SqlRefError(f"ref('{name}'): no Lance dataset at {self.dataset_uri(name)}; materialize "
                                  f"{name} first")
            datasets[name] = ds
        specs = plan_scans(sql, {n: ds.schema for n, ds in datasets.items()})
        for name, extra in (ref_filters or {}).items():
            if name in specs:
                own = specs[name].filter
                specs[name].filter = extra if own is None else f"({extra}) AND ({own})"
        return {n: (datasets[n], specs[n]) for n in datasets}

    def query(
        self, sql: str, *, versions: Mapping[str, int] | None = None,
        ref_filters: Mapping[str, str] | None = None,
    ) -> pa.RecordBatchReader:
        """Runs `sql`; the result streams as a RecordBatchReader (the connection closes when it is drained).

        `versions` pins refs to Lance versions; `ref_filters` adds a Lance filter to a ref's scan (a daily
        model's partition, say); DuckDB still evaluates the query's own predicates.
        """
        confine(sql)
        config = {k: v for k, v in (("threads", self.threads), ("memory_limit", self.memory_limit)) if v}
        scans = self.scans(sql, versions, ref_filters)
        con = duckdb.connect(config={**config, **LOCKED_DOWN})
        scanners = []
        try:
            for name, (ds, spec) in scans.items():
                scanner = ds.scanner(columns=spec.columns, filter=spec.filter, batch_size=8192)
                scanners.append(scanner)  # a LanceScanner can be scanned again (self-joins, CTEs used twice)
                con.register(placeholder(name), scanner)
            con.execute("SET lock_configuration = true")  # the query cannot turn any of it back on
            reader = con.sql(render(sql)).to_arrow_reader(BATCH_ROWS)
        except BaseException:
            con.close()
            raise
        return _closing(reader, con, scanners)


def _closing(reader: pa.RecordBatchReader, con, keep: list) -> pa.RecordBatchReader:
    def batches() -> Iterator[pa.RecordBatch]:
        try:
            yield from reader
        finally:
            keep.clear()
            con.close()

    out = pa.RecordBatchReader.from_batches(reader.schema, batches())
    weakref.finalize(out, con.close)
    return out
