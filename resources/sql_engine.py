"""SQL over the lake: DuckDB in-process (default) or Trino, both fed DuckDB SQL with `{{ ref('asset') }}`.

A query names its inputs only through `{{ ref('asset') }}`. `DuckDBEngine` resolves each ref to the asset's
Lance dataset (`<root_uri>/<asset>.lance`, as `LanceIOManager` writes it) and registers a Lance scanner for
it whose projection and filter come from the query itself (sqlglot: the columns each ref is read for, and
the simple predicates on that ref's own columns). The query text DuckDB runs is the one the user wrote, so
the pushdown only has to be a superset of what DuckDB then filters: when the analysis cannot be sure it
reads more, never less. `TrinoEngine` transpiles the same SQL with sqlglot, points refs at
`catalog.schema.asset` (lance-trino, `lance.impl=dir`) and checks the result with Trino's own grammar.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import dagster as dg
import duckdb
import pyarrow as pa
import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel, SqlglotError
from sqlglot.optimizer.pushdown_projections import pushdown_projections
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import Scope, traverse_scope

from resources import lance_tables as lt

REF = re.compile(r"\{\{\s*ref\(\s*['\"]([A-Za-z0-9_./-]+)['\"]\s*\)\s*\}\}")
_TEMPLATE = re.compile(r"\{\{|\{%")
_SIMPLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
BATCH_ROWS = 64 * 1024


class SqlRefError(ValueError):
    """A query's templating is not `{{ ref('asset') }}`, or a ref names no dataset."""


class TrinoSqlError(ValueError):
    """sqlglot produced SQL that Trino's grammar rejects."""


# ------------------------------------------------------------------------------------------------- refs


def refs(sql: str) -> list[str]:
    """Asset names referenced by `{{ ref('...') }}`, in first-appearance order (the query's graph edges)."""
    return list(dict.fromkeys(REF.findall(sql)))


def placeholder(name: str) -> str:
    return "__ref__" + re.sub(r"\W", "__", name)


def render(sql: str, table_for=placeholder) -> str:
    """Replaces every ref with `table_for(name)`; any other `{{ }}` / `{% %}` templating is an error."""
    out = REF.sub(lambda m: table_for(m.group(1)), sql)
    if _TEMPLATE.search(out):
        line = out[: _TEMPLATE.search(out).start()].count("\n") + 1
        raise SqlRefError(f"line {line}: only {{{{ ref('asset') }}}} templating is allowed")
    return out


# --------------------------------------------------------------------------------------------- pushdown


@dataclass
class ScanSpec:
    """What a Lance scanner reads for one ref: `columns` (None = all) and a Lance SQL `filter` (or None)."""

    columns: list[str] | None
    filter: str | None = None


@dataclass
class _Use:
    columns: set[str] = field(default_factory=set)
    filters: list[str | None] = field(default_factory=list)
    star: bool = False


def plan_scans(sql: str, schemas: Mapping[str, pa.Schema]) -> dict[str, ScanSpec]:
    """The projection and filter each ref (by asset name) can be scanned with, derived from `sql`.

    Falls back to a full scan of every ref when sqlglot cannot parse or qualify the query.
    """
    names = {placeholder(n): n for n in schemas}
    full = {n: ScanSpec(None) for n in schemas}
    try:
        tree = sqlglot.parse_one(render(sql), dialect="duckdb")
        sg_schema = {p: {f.name: "VARCHAR" for f in schemas[n]} for p, n in names.items()}
        tree = qualify(tree, schema=sg_schema, dialect="duckdb", quote_identifiers=False)
        tree = pushdown_projections(tree)
        scopes = traverse_scope(tree)
    except (SqlglotError, KeyError, ValueError):
        return full
    uses: dict[str, _Use] = {}
    for scope in scopes:
        for alias, (_, source) in scope.selected_sources.items():
            if isinstance(source, exp.Table) and source.name in names:
                use = uses.setdefault(names[source.name], _Use())
                use.star |= any(isinstance(s, exp.Star) for s in scope.expression.selects)
                use.filters.append(_pushable_filter(scope, alias, schemas[names[source.name]]))
        for column in scope.columns:
            owner = _owner(scope, column.table)
            if owner is not None and owner.name in names:
                uses.setdefault(names[owner.name], _Use()).columns.add(column.name)
    return {n: _spec(uses.get(n), schemas[n]) for n in schemas}


def _owner(scope: Scope | None, alias: str) -> exp.Table | None:
    """The table a column qualified by `alias` comes from: this scope's source, else an outer scope's."""
    while scope is not None:
        if alias in scope.selected_sources:
            source = scope.selected_sources[alias][1]
            return source if isinstance(source, exp.Table) else None
        scope = scope.parent
    return None


def _spec(use: _Use | None, schema: pa.Schema) -> ScanSpec:
    if use is None or use.star:
        return ScanSpec(None)
    by_lower = {f.name.lower(): f.name for f in schema}
    columns = [by_lower[c.lower()] for c in sorted(use.columns) if c.lower() in by_lower]
    if not columns:  # count(*) and friends: read the narrowest thing there is, one column
        columns = [schema.names[0]]
    # A ref read in several places gets the OR of their filters; one unfiltered read means no filter.
    if not use.filters or None in use.filters:
        return ScanSpec(columns)
    unique = list(dict.fromkeys(use.filters))
    return ScanSpec(columns, unique[0] if len(unique) == 1 else " OR ".join(f"({f})" for f in unique))


def _pushable_filter(scope: Scope, alias: str, schema: pa.Schema) -> str | None:
    """The WHERE conjuncts that touch only `alias`'s columns, as a Lance filter; None when there are none.

    Not for a null-supplying side of an outer join: `left join c ... where c.id is null` must see all of c.
    """
    select = scope.expression
    if not isinstance(select, exp.Select) or select.args.get("where") is None:
        return None
    for join in select.args.get("joins") or []:
        side = (join.side or "").upper()
        if side in ("RIGHT", "FULL") or (side == "LEFT" and join.this.alias_or_name == alias):
            return None
    where = select.args["where"].this
    conjuncts = where.flatten() if isinstance(where, exp.And) else [where]
    parts = [_to_lance(c, alias, schema) for c in conjuncts]
    kept = [p for p in parts if p]
    if len(kept) <= 1:
        return kept[0] if kept else None
    return " AND ".join(f"({p})" for p in kept)


_COMPARE = {exp.EQ: "=", exp.NEQ: "!=", exp.GT: ">", exp.GTE: ">=", exp.LT: "<", exp.LTE: "<="}


def _to_lance(node: exp.Expression, alias: str, schema: pa.Schema) -> str | None:
    """`node` in Lance's filter SQL when it is a simple predicate on `alias`'s columns, else None."""
    if isinstance(node, exp.Paren):
        return _to_lance(node.this, alias, schema)
    if isinstance(node, exp.Not):
        inner = _to_lance(node.this, alias, schema)
        return None if inner is None else f"NOT ({inner})"
    if isinstance(node, (exp.And, exp.Or)):
        left, right = _to_lance(node.left, alias, schema), _to_lance(node.right, alias, schema)
        op = "AND" if isinstance(node, exp.And) else "OR"
        return None if left is None or right is None else f"({left}) {op} ({right})"
    if isinstance(node, exp.Is) and isinstance(node.expression, exp.Null):
        col = _column(node.this, alias, schema)
        return None if col is None else f"{col[0]} IS NULL"
    if type(node) in _COMPARE:
        col, lit = _column(node.this, alias, schema), _literal(node.expression)
        if col is None or lit is None or not _same_kind(col[1], lit[1]):
            return None
        return f"{col[0]} {_COMPARE[type(node)]} {lit[0]}"
    if isinstance(node, exp.In) and not node.args.get("query"):
        col, lits = _column(node.this, alias, schema), [_literal(e) for e in node.expressions]
        if col is None or not lits or any(lt is None or not _same_kind(col[1], lt[1]) for lt in lits):
            return None
        return f"{col[0]} IN ({', '.join(lt[0] for lt in lits)})"
    if isinstance(node, exp.Between):
        col, bounds = _column(node.this, alias, schema), [_literal(node.args[k]) for k in ("low", "high")]
        if col is None or any(b is None or not _same_kind(col[1], b[1]) for b in bounds):
            return None
        low, high = bounds
        return f"{col[0]} BETWEEN {low[0]} AND {high[0]}"
    return None


def _column(node: exp.Expression, alias: str, schema: pa.Schema) -> tuple[str, pa.DataType] | None:
    if not isinstance(node, exp.Column) or node.table != alias:
        return None
    match = [f for f in schema if f.name.lower() == node.name.lower()]
    if not match or not _SIMPLE_NAME.match(match[0].name):
        return None
    return match[0].name, match[0].type


def _literal(node: exp.Expression) -> tuple[str, str] | None:
    if isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal) and not node.this.is_string:
        return f"-{node.this.this}", "number"
    if isinstance(node, exp.Boolean):
        return ("true" if node.this else "false"), "bool"
    if isinstance(node, exp.Literal):
        if node.is_string:
            return "'" + node.this.replace("'", "''") + "'", "string"
        return node.this, "number"
    return None


def _same_kind(dtype: pa.DataType, kind: str) -> bool:
    """Pushes only predicates whose literal needs no cast, so Lance and DuckDB agree on every row."""
    if kind == "string":
        return pa.types.is_string(dtype) or pa.types.is_large_string(dtype) or pa.types.is_string_view(dtype)
    if kind == "number":
        return pa.types.is_integer(dtype) or pa.types.is_floating(dtype)
    return pa.types.is_boolean(dtype)


# ---------------------------------------------------------------------------------------------- engines


class SqlEngine(dg.ConfigurableResource):
    """The `sql_engine` resource: runs DuckDB-dialect SQL with `{{ ref('asset') }}` over the lake."""

    def query(
        self, sql: str, *, versions: Mapping[str, int] | None = None,
        ref_filters: Mapping[str, str] | None = None,
    ) -> pa.RecordBatchReader:
        raise NotImplementedError

    def schema(self, name: str) -> pa.Schema | None:
        """The Arrow schema of asset `name`'s dataset, or None when it was never materialized."""
        raise NotImplementedError

    def current_versions(self, names: list[str]) -> dict[str, int]:
        """Latest Lance version of each named asset that exists (pin these to read one snapshot)."""
        raise NotImplementedError

    def pin_versions(self, versions: Mapping[str, int], tag: str) -> dict[str, str]:
        """Tags each `{asset: version}` so Lance cleanup keeps it; returns {asset: tag}."""
        raise NotImplementedError


def input_metadata(versions: Mapping[str, int], pinned: Mapping[str, str]) -> dict[str, int | str]:
    """`inputs/<asset>/lance_version` (and `lance_tag` where pinned) for the versions a run read: the
    entries `maslow audit` follows (platform_assets/cli/lineage/audit.py)."""
    meta: dict[str, int | str] = {}
    for asset, version in sorted(versions.items()):
        meta[f"inputs/{asset}/lance_version"] = version
        if asset in pinned:
            meta[f"inputs/{asset}/lance_tag"] = pinned[asset]
    return meta


class _LakeMixin:
    """Shared by engines that can see the Lance lake directly."""

    def _lake_root(self) -> str:
        from platform_assets import settings

        return getattr(self, "root_uri", None) or getattr(self, "lake_uri", None) or settings.lake_uri()

    def dataset(self, name: str, version: int | str | None = None):
        """Asset `name`'s Lance dataset (latest, or a version or tag); None when never materialized."""
        uri = lt.dataset_uri(self._lake_root(), name.split("/"))
        return lt.open_dataset(uri, version, getattr(self, "storage_options", None))

    def schema(self, name: str) -> pa.Schema | None:
        ds = self.dataset(name)
        return None if ds is None else ds.schema

    def current_versions(self, names: list[str]) -> dict[str, int]:
        return {n: ds.version for n in names if (ds := self.dataset(n)) is not None}

    def pin_versions(self, versions: Mapping[str, int], tag: str) -> dict[str, str]:
        pinned = {}
        for name, version in versions.items():
            ds = self.dataset(name)
            if ds is not None:
                pinned[name] = lt.tag_version(ds, lt.tag_name(tag), int(version))
        return pinned


class DuckDBEngine(_LakeMixin, SqlEngine):
    """DuckDB in-process over Lance scanners with pushed-down projection and filters.

    Args:
        root_uri: the lake root (`LanceIOManager.root_uri`); empty means `settings.lake_uri()`.
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
                uri = lt.dataset_uri(self._lake_root(), name.split("/"))
                raise SqlRefError(f"ref('{name}'): no Lance dataset at {uri}; materialize {name} first")
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
        config = {k: v for k, v in (("threads", self.threads), ("memory_limit", self.memory_limit)) if v}
        scans = self.scans(sql, versions, ref_filters)
        con = duckdb.connect(config=config)
        scanners = []
        try:
            for name, (ds, spec) in scans.items():
                scanner = ds.scanner(columns=spec.columns, filter=spec.filter, batch_size=8192)
                scanners.append(scanner)  # a LanceScanner can be scanned again (self-joins, CTEs used twice)
                con.register(placeholder(name), scanner)
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


class TrinoEngine(_LakeMixin, SqlEngine):
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


_TRINO_TYPES = {"varchar": pa.string(), "bigint": pa.int64(), "integer": pa.int32(), "smallint": pa.int16(),
                "tinyint": pa.int8(), "double": pa.float64(), "real": pa.float32(), "boolean": pa.bool_(),
                "date": pa.date32(), "varbinary": pa.binary()}


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
