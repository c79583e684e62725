"""Projection and filter pushdown: what each `{{ ref() }}` of a query must read, derived with sqlglot.

The query text DuckDB runs is the one the user wrote, so the pushdown only has to be a superset of what
DuckDB then filters: when the analysis cannot be sure it reads more, never less.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import pyarrow as pa
import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.pushdown_projections import pushdown_projections
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import Scope, traverse_scope

from resources.lance_filters import sql_literal
from resources.sql_refs import placeholder, render

_SIMPLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_COMPARE = {exp.EQ: "=", exp.NEQ: "!=", exp.GT: ">", exp.GTE: ">=", exp.LT: "<", exp.LTE: "<="}


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
            return sql_literal(node.this), "string"
        return node.this, "number"
    return None


def _same_kind(dtype: pa.DataType, kind: str) -> bool:
    """Pushes only predicates whose literal needs no cast, so Lance and DuckDB agree on every row."""
    if kind == "string":
        return pa.types.is_string(dtype) or pa.types.is_large_string(dtype) or pa.types.is_string_view(dtype)
    if kind == "number":
        return pa.types.is_integer(dtype) or pa.types.is_floating(dtype)
    return pa.types.is_boolean(dtype)
