"""Counts as Dagster tables (`TableMetadata`) instead of dozens of flat `prefix/<name>` metadata keys: one
sortable table per breakdown in the UI (funnel drops by reason, quarantine by kind, rows per domain)."""

from __future__ import annotations

from collections.abc import Mapping

import dagster as dg


def table(rows: list[dict], columns: Mapping[str, str]) -> dg.MetadataValue:
    """A UI table of `rows`, columns in the order given (`{name: type}`: string, int, float, bool)."""
    schema = dg.TableSchema([dg.TableColumn(name, kind) for name, kind in columns.items()])
    return dg.MetadataValue.table([dg.TableRecord({c: r.get(c) for c in columns}) for r in rows],
                                  schema=schema)


def counts(values: Mapping[str, int], key: str, value: str = "rows") -> dg.MetadataValue:
    """`{name: count}` as a two-column table, largest first."""
    rows = sorted(({key: k, value: int(n)} for k, n in values.items()), key=lambda r: (-r[value], r[key]))
    return table(rows, {key: "string", value: "int"})


def fold(meta: Mapping[str, object], prefix: str, name: str, key: str, value: str = "rows") -> dict:
    """`meta` with its `<prefix>/<x>` entries replaced by one table `name` of (`key`, `value`) rows."""
    start = prefix.rstrip("/") + "/"
    found = {k[len(start):]: v for k, v in meta.items() if k.startswith(start)}
    rest = {k: v for k, v in meta.items() if not k.startswith(start)}
    return {**rest, name: counts(found, key, value)} if found else rest


def records(value: dg.MetadataValue | object) -> dict[str, int]:
    """The `{name: count}` back from a `counts` table (what `maslow demo` prints)."""
    rows = [r.data for r in getattr(value, "records", None) or []]
    return {str(list(r.values())[0]): int(list(r.values())[1]) for r in rows}
