"""Trino (lance-trino, `lance.impl=dir`) fed the same DuckDB-dialect SQL, transpiled by sqlglot.

Refs point at `catalog.schema.asset`; the result is checked with Trino's own grammar.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

import pyarrow as pa
import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel, SqlglotError

from resources.sql_engine import BATCH_ROWS, LakeMixin, SqlEngine
from resources.sql_guard import confine
from resources.sql_refs import SqlRefError, placeholder, refs, render

_TRINO_TYPES = {"varchar": pa.string(), "bigint": pa.int64(), "integer": pa.int32(), "smallint": pa.int16(),
                "tinyint": pa.int8(), "double": pa.float64(), "real": pa.float32(), "boolean": pa.bool_(),
                "date": pa.date32(), "varbinary": pa.binary()}


class TrinoSqlError(ValueError):
    """sqlglot produced SQL that Trino's grammar rejects."""


class TrinoEngine(LakeMixin, SqlEngine):
    """Trino (lance-trino connector) fed the same DuckDB-dialect SQL, transpiled by sqlglot.

    Args:
        host, port, user, http_scheme: the coordinator; `password` (use `dg.EnvVar`) switches to basic auth.
        catalog, schema_name: where the connector exposes the lake (`lance.impl=dir`: one table per asset).
        lake_uri: the lake root, to read and pin input versions (Trino itself reads the latest version).
    """

    host: str
    port: int = 8080
    user: str = "maslow"
    catalog: str = "lance"
    schema_name: str = "default"
    http_scheme: str = "http"
    password: str | None = None
    lake_uri: str = ""

    def to_trino(self, sql: str, versions: Mapping[str, int] | None = None) -> str:
        return to_trino(sql, self.catalog, self.schema_name, versions)

    def query(
        self, sql: str, *, versions: Mapping[str, int] | None = None,
        ref_filters: Mapping[str, str] | None = None,
    ) -> pa.RecordBatchReader:
        """Runs `sql` on Trino; `versions` pins refs with `FOR VERSION AS OF` (lance-trino time travel) and
        `ref_filters` read a ref through a filtered subquery (a daily model's partition)."""
        import trino

        auth = trino.auth.BasicAuthentication(self.user, self.password) if self.password else None
        con = trino.dbapi.connect(host=self.host, port=self.port, user=self.user, catalog=self.catalog,
                                  schema=self.schema_name, http_scheme=self.http_scheme, auth=auth)
        cur = con.cursor()
        cur.execute(to_trino(sql, self.catalog, self.schema_name, versions, ref_filters))
        first = cur.fetchmany(BATCH_ROWS)
        schema = pa.schema([(d[0], _trino_type(d[1])) for d in cur.description])

        def batches() -> Iterator[pa.RecordBatch]:
            rows = first
            while rows:
                yield pa.RecordBatch.from_pylist([dict(zip(schema.names, r, strict=True)) for r in rows],
                                                 schema=schema)
                rows = cur.fetchmany(BATCH_ROWS)
            con.close()

        return pa.RecordBatchReader.from_batches(schema, batches())


def _trino_type(name: str) -> pa.DataType:
    base = name.split("(")[0].lower()
    if base.startswith("timestamp"):
        return pa.timestamp("us")
    return _TRINO_TYPES.get(base, pa.string())


def to_trino(sql: str, catalog: str, schema: str, versions: Mapping[str, int] | None = None,
             ref_filters: Mapping[str, str] | None = None) -> str:
    """`sql` (DuckDB dialect, refs) as Trino SQL over `catalog.schema.<asset>`, checked by Trino's grammar.

    A ref in `versions` reads that Lance version (`FOR VERSION AS OF n`); a ref in `ref_filters` is read
    through `(SELECT * FROM ... WHERE <filter>)`, the filter in Lance's (standard) SQL.
    """
    confine(sql)  # one SELECT over refs: DROP, DELETE, INSERT, CREATE TABLE AS ... are never sent
    for name in refs(sql):
        if "/" in name:
            raise SqlRefError(f"ref('{name}'): Trino's dir namespace is flat; nested keys have no table")
    try:
        tree = sqlglot.parse_one(render(sql), dialect="duckdb")
    except SqlglotError as e:
        raise TrinoSqlError(f"sqlglot cannot parse the DuckDB SQL: {e}") from e
    by_placeholder = {placeholder(n): n for n in refs(sql)}
    for table in list(tree.find_all(exp.Table)):
        if table.name in by_placeholder and not table.db:
            _point_at_trino(table, by_placeholder[table.name], catalog, schema, versions or {},
                            ref_filters or {})
    try:
        out = tree.sql(dialect="trino", unsupported_level=ErrorLevel.RAISE)
    except SqlglotError as e:
        raise TrinoSqlError(f"sqlglot cannot express this query in Trino: {e}") from e
    check_trino(out)
    return out


def check_trino(sql: str) -> None:
    """Raises TrinoSqlError when Trino's grammar (trino-query-parser: Trino 422's SqlBase.g4) rejects it."""
    try:
        from trino_query_parser import TrinoSyntaxError, parse_statement
    except ImportError as e:  # the `trino` extra
        raise ImportError("checking Trino SQL needs trino-query-parser (pip install 'maslow[trino]')") from e
    try:
        parse_statement(sql)
    except TrinoSyntaxError as e:
        hint = (" DuckDB's `* EXCLUDE (...)` has no Trino form: list the columns instead."
                if re.search(r"\*\s*EXCEPT\s*\(", sql, re.I) else "")
        raise TrinoSqlError(f"Trino's grammar rejects the transpiled SQL at {e}.{hint}\n{sql}") from e


def _point_at_trino(table: exp.Table, name: str, catalog: str, schema: str, versions: Mapping[str, int],
                    ref_filters: Mapping[str, str]) -> None:
    target = exp.Table(this=exp.to_identifier(name), db=exp.to_identifier(schema),
                       catalog=exp.to_identifier(catalog))
    if name in versions:
        target.set("version", exp.Version(this="VERSION", kind="AS OF",
                                          expression=exp.Literal.number(int(versions[name]))))
    if name not in ref_filters:
        for arg in ("this", "db", "catalog", "version"):
            table.set(arg, target.args.get(arg))
        return
    try:
        where = sqlglot.parse_one(ref_filters[name], dialect="duckdb")
    except SqlglotError as e:
        raise TrinoSqlError(f"ref('{name}'): cannot parse its filter {ref_filters[name]!r}: {e}") from e
    subquery = exp.select("*").from_(target).where(where).subquery(table.alias_or_name)
    table.replace(subquery)
