"""Spec SQL is confined to reading its refs: one SELECT (or WITH ... SELECT, or a set operation of them)
whose every table is a `{{ ref() }}` input or one of its own CTEs, and no function that reads files, other
databases or settings. Every engine runs `confine` before anything else; DuckDB also runs with external
access off and its configuration locked (resources/duckdb_engine.py), so a query the parser let through
still cannot touch the file system.
"""

from __future__ import annotations

import re

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from resources.sql_refs import placeholder, refs, render

_NOT_A_QUERY = (exp.Create, exp.Drop, exp.Insert, exp.Delete, exp.Update, exp.Merge, exp.Copy, exp.Attach,
                exp.Detach, exp.Install, exp.Pragma, exp.Command, exp.Set, exp.Use, exp.Alter,
                exp.TruncateTable, exp.Into, exp.LoadData, exp.Export, exp.Describe, exp.Transaction,
                exp.Commit, exp.Rollback)
# functions that read files, URLs, other databases, the environment or the engine's settings
_REFUSED_FUNCTION = re.compile(
    r"^(read_\w*|glob|query|query_table|getenv|current_setting|sniff_csv|parquet_\w*|duckdb_\w*|pragma_\w*|"
    r"which_secret|load_\w*|iceberg_\w*|delta_\w*|sqlite_\w*|postgres_\w*|mysql_\w*|http_\w*|"
    r"json_execute_serialized_sql|system\.\w*)$", re.I)


class SqlConfinementError(ValueError):
    """The SQL does more than read its refs; the message says what (the caller adds the file)."""


def spec_query(sql: str) -> str:
    """A spec's `sql:` field checked as every spec kind (mixture, synthetics, labeling queue) needs it: one
    SELECT that names its inputs with `{{ ref('asset') }}` and only reads them; returned stripped of
    surrounding blanks and a trailing `;`. Raises ValueError (for pydantic to place at the field)."""
    sql = sql.strip().rstrip(";").strip()
    render(sql)  # only ref() templating
    if not refs(sql):
        raise ValueError("the query reads no asset: name its inputs with {{ ref('asset') }}")
    confine(sql)
    return sql


def confine(sql: str) -> None:
    """Raises SqlConfinementError unless `sql` (refs not yet rendered) only reads its refs."""
    try:
        statements = [s for s in sqlglot.parse(render(sql), dialect="duckdb") if s is not None]
    except SqlglotError as e:
        raise SqlConfinementError(f"not one parseable query: {str(e).splitlines()[0]}") from None
    if len(statements) != 1:
        raise SqlConfinementError(f"{len(statements)} statements; a spec holds exactly one SELECT")
    tree = statements[0]
    if not isinstance(tree, exp.Query) or isinstance(tree, exp.Values):
        raise SqlConfinementError(f"{tree.key.upper()} statement; only a SELECT (or WITH ... SELECT) runs")
    for node in tree.walk():
        _refuse(node, tree, {placeholder(n) for n in refs(sql)})


def _refuse(node: exp.Expression, tree: exp.Expression, inputs: set[str]) -> None:
    if isinstance(node, _NOT_A_QUERY):
        raise SqlConfinementError(f"{node.key.upper()} inside the query; only reading is allowed")
    if isinstance(node, exp.Func):
        name = node.name if isinstance(node, exp.Anonymous) else node.sql_name()
        if _REFUSED_FUNCTION.match(name or ""):
            raise SqlConfinementError(f"function {name}() reads outside the query's refs")
    if isinstance(node, exp.Table):
        _check_table(node, tree, inputs)


def _check_table(table: exp.Table, tree: exp.Expression, inputs: set[str]) -> None:
    if isinstance(table.this, exp.Func):
        name = table.this.name if isinstance(table.this, exp.Anonymous) else table.this.sql_name()
        raise SqlConfinementError(f"table function {name.lower()}() reads outside the query's refs")
    if not isinstance(table.this, exp.Identifier) or table.args.get("db") or table.args.get("catalog"):
        raise SqlConfinementError(f"table {table.sql(dialect='duckdb')!r} is not a {{{{ ref() }}}} input")
    name = table.name
    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    if name not in inputs | ctes:
        raise SqlConfinementError(f"table {name!r} is neither a {{{{ ref() }}}} input nor a CTE of the query")
