"""Checks a `{{ ref() }}` query without running it, and maps engine errors back to the spec file's lines.

`bind` binds the query in DuckDB against empty tables of the refs' real schemas (nothing is read), so an
unknown column, function or type error is found in milliseconds. Every message names the line in the
query the user wrote; `file_line` turns it into the line of the file that holds the query. Placeholder
names (`__ref__x`) are shown as the `{{ ref('x') }}` the user wrote.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from resources import sql_refs as engines

_LINE = re.compile(r"\n*LINE (\d+):.*", re.S)
_PLACEHOLDER = re.compile(r"__ref__(\w+)")
_QUOTED = re.compile(r'"([^"\n]+)"')


@dataclass(frozen=True)
class SqlProblem:
    line: int | None  # 1-based line in the query text (None: the whole query)
    message: str


def no_such_asset(name: str, known: Iterable[str]) -> str:
    """"no such asset 'x'; did you mean a, b?" with the close names among `known` (difflib)."""
    close = difflib.get_close_matches(name, sorted(set(known)), n=3, cutoff=0.6)
    return f"no such asset {name!r}" + (f"; did you mean {', '.join(close)}?" if close else "")


def unknown_refs(sql: str, known: Iterable[str]) -> list[SqlProblem]:
    """A problem per `{{ ref() }}` naming no asset: "no such asset", with the close names."""
    known = set(known)
    out = []
    for match in engines.REF.finditer(sql):
        name = match.group(1)
        if name not in known:
            line = sql[: match.start()].count("\n") + 1
            out.append(SqlProblem(line, f"ref('{name}'): {no_such_asset(name, known)}"))
    return out


def engine_problem(err: BaseException, sql: str = "", line_offset: int = 0) -> SqlProblem:
    """An engine error as (line in the user's query, message without DuckDB's caret display).

    DuckDB gives `LINE n` for most errors; for the others (a column unknown inside a CTE) the line is where
    the first quoted name of the message appears in `sql`. `line_offset` is how many lines the engine's
    statement has before the user's query (a wrapper)."""
    text = str(err)
    match = _LINE.search(text)
    line = int(match.group(1)) - line_offset if match else _line_of_name(text, sql)
    message = _LINE.sub("", text).strip().replace("\n", "; ")
    message = _PLACEHOLDER.sub(lambda m: f"ref('{m.group(1)}')", message)
    return SqlProblem(line if line is None or line >= 1 else None, message)


def _line_of_name(message: str, sql: str) -> int | None:
    name = _QUOTED.search(message)
    found = name and re.search(rf"(?<![\w.]){re.escape(name.group(1))}(?!\w)", sql)
    return sql[: found.start()].count("\n") + 1 if found else None


def bind(sql: str, schemas: Mapping[str, pa.Schema]) -> tuple[list[str], SqlProblem | None]:
    """(the query's output columns, or [], and its first problem) with every ref an empty table of its
    schema. When a ref has no schema (never materialized), the query is only parsed."""
    con = duckdb.connect()
    try:
        if any(name not in schemas for name in engines.refs(sql)):
            try:
                con.extract_statements(engines.render(sql))
            except (duckdb.Error, ValueError) as e:
                return [], engine_problem(e, sql)
            return [], None
        for name in engines.refs(sql):
            if name in schemas:
                con.register(engines.placeholder(name), pa.table(
                    {f.name: pa.array([], f.type) for f in schemas[name]}, schema=schemas[name]))
        try:
            relation = con.sql(engines.render(sql))
        except (duckdb.Error, ValueError) as e:
            return [], engine_problem(e, sql)
        return (list(relation.columns) if relation is not None else []), None
    finally:
        con.close()


def file_line(first_line: int, problem: SqlProblem) -> int:
    """The file's line for a problem of a query whose first line is the file's `first_line`."""
    return first_line + (problem.line or 1) - 1
