"""Mergeable daily statistics: how a daily model's rows combine over a range of days.

A daily model's header names, in `merge:`, what each non-key column is: a `sum` (counts, token totals,
fixed-bin histogram counts), a `min` or `max`, a `ratio` of two merged sums (a mean is sum / count), or a
`share` of a merged sum within some key columns (documents / documents of the same source). Merging a
range of days groups the daily rows by the grain minus `day` and recomputes every ratio and share from the
merged sums, so a report over 30 days sums 30 small aggregates instead of rescanning the text, and gets
exactly what the model computes over all 30 days at once (tests/platform_assets/analytics/test_merge.py).
"""

from __future__ import annotations

import duckdb
import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field, model_validator

DAY = "day"


class Share(BaseModel):
    model_config = ConfigDict(extra="forbid")

    of: str
    within: list[str] = Field(default_factory=list)  # key columns besides `day`


class Merge(BaseModel):
    """The `merge:` block of a daily model's header."""

    model_config = ConfigDict(extra="forbid")

    sum: list[str] = Field(default_factory=list)
    min: list[str] = Field(default_factory=list)
    max: list[str] = Field(default_factory=list)
    ratio: dict[str, tuple[str, str]] = Field(default_factory=dict)  # column: [numerator, denominator]
    share: dict[str, Share] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _derived_from_sums(self) -> Merge:
        for column, (num, den) in self.ratio.items():
            missing = [c for c in (num, den) if c not in self.sum]
            if missing:
                raise ValueError(f"ratio.{column}: {missing} must be listed under sum")
        for column, share in self.share.items():
            if share.of not in self.sum:
                raise ValueError(f"share.{column}: {share.of!r} must be listed under sum")
        return self

    def columns(self) -> list[str]:
        return [*self.sum, *self.min, *self.max, *self.ratio, *self.share]


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def merge_sql(merge: Merge, keys: list[str], integers: set[str] = frozenset()) -> str:
    """DuckDB SQL over a table `t` of daily rows: one row per `keys` with every measure recomputed.

    Sums of the `integers` columns stay BIGINT (DuckDB's sum would widen them to HUGEINT), others DOUBLE.
    """
    aggs = ([f"cast(sum({_q(c)}) as {'bigint' if c in integers else 'double'}) as {_q(c)}" for c in merge.sum]
            + [f"min({_q(c)}) as {_q(c)}" for c in merge.min]
            + [f"max({_q(c)}) as {_q(c)}" for c in merge.max])
    group = ", ".join(map(_q, keys))
    inner = f"select {', '.join([*map(_q, keys), *aggs])} from t" + (f" group by {group}" if keys else "")
    derived = [f"cast({_q(n)} as double) / nullif({_q(d)}, 0) as {_q(c)}"
               for c, (n, d) in merge.ratio.items()]
    for column, share in merge.share.items():
        window = f"partition by {', '.join(map(_q, share.within))}" if share.within else ""
        derived.append(f"cast({_q(share.of)} as double) / nullif(sum({_q(share.of)}) over ({window}), 0) "
                       f"as {_q(column)}")
    plain = [*keys, *merge.sum, *merge.min, *merge.max]
    order = f" order by {group}" if keys else ""
    return f"select {', '.join([*map(_q, plain), *derived])} from ({inner}){order}"


def merge_days(table: pa.Table, merge: Merge, grain: list[str], keep_day: bool = False) -> pa.Table:
    """`table`'s daily rows merged over all its days (or, with `keep_day`, recomputed per day).

    Raises ValueError naming any column that is neither in the grain nor declared under `merge:`.
    """
    keys = [c for c in grain if keep_day or c != DAY]
    declared = set(merge.columns()) | set(grain)
    undeclared = [c for c in table.column_names if c not in declared]
    if undeclared:
        raise ValueError(f"columns {undeclared} are neither in the grain nor under merge:")
    with duckdb.connect() as con:
        con.register("t", table)
        integers = {f.name for f in table.schema if pa.types.is_integer(f.type)}
        return con.sql(merge_sql(merge, keys, integers)).to_arrow_table()
