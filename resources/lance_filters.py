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
