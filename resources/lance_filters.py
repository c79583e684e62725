"""The one route from a partition key (or any value) to a Lance filter: `sql_literal` quotes a value,
`partition_predicate` selects partition keys. No Lance filter string is built anywhere else by hand.
"""

from __future__ import annotations

from collections.abc import Sequence

PartitionKey = tuple[str, ...]


def sql_literal(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def partition_predicate(columns: Sequence[str], keys: Sequence[PartitionKey]) -> str:
    """SQL filter selecting `keys` (one tuple of values per key, aligned with `columns`)."""
    if len(columns) == 1:
        return f"{columns[0]} IN ({', '.join(sql_literal(k[0]) for k in keys)})"
    return " OR ".join(
        "(" + " AND ".join(f"{c} = {sql_literal(v)}" for c, v in zip(columns, k, strict=True)) + ")"
        for k in keys
    )


def range_predicate(column: str, first: str | None, last: str | None) -> str | None:
    """SQL filter selecting `first <= column <= last` (a partition range); an end that is None is open, and
    with both open there is no filter (None)."""
    if first is not None and first == last:
        return f"{column} = {sql_literal(first)}"
    bounds = [f"{column} {op} {sql_literal(v)}" for op, v in ((">=", first), ("<=", last)) if v is not None]
    return " AND ".join(bounds) or None


_OPERATORS = {"=", "!=", "<", "<=", ">", ">="}


def compare(column: str, op: str, value: str | int | float) -> str:
    """SQL filter `column <op> value`: a string is quoted by `sql_literal`, a number written as is."""
    if op not in _OPERATORS:
        raise ValueError(f"operator {op!r} is not one of {sorted(_OPERATORS)}")
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise TypeError(f"a filter value must be a string or a number, not {type(value).__name__}")
    return f"{column} {op} {sql_literal(value) if isinstance(value, str) else repr(value)}"


def in_values(column: str, values: Sequence[str]) -> str:
    """SQL filter selecting rows whose `column` is one of `values` (strings)."""
    return partition_predicate([column], [(v,) for v in values])


def all_of(*predicates: str | None) -> str | None:
    """The AND of the given filters (None ones skipped); None when there is none."""
    kept = [p for p in predicates if p]
    return kept[0] if len(kept) == 1 else " AND ".join(f"({p})" for p in kept) or None
