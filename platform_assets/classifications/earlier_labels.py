"""A rerun whose LLM requests fail keeps the day's earlier good labels instead of writing nulls over them."""

from __future__ import annotations

import lance
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from platform_assets.processors.classifiers.prompts import PromptTemplate, prompt_schema
from resources import lance_filters

FAILED = ("request_error",)
KEPT_NOTE = "earlier label kept"  # appended to `<template>__error` of a row whose earlier label was kept


def keep_earlier_labels(
    table: pa.Table, earlier: lance.LanceDataset | None, day: str, templates: list[PromptTemplate]
) -> tuple[pa.Table, int]:
    """`table` with each template's columns taken from `earlier` (the asset's previous data for `day`) for
    documents whose request failed now and whose earlier label was `ok`; returns it and how many. Called a
    batch at a time: only the failed documents' earlier rows are read."""
    kept = 0
    for t in templates:
        names = prompt_schema(t).names
        status = f"{t.name}__status"
        if earlier is None or not set(names) <= set(earlier.schema.names):
            continue
        failed = pc.is_in(table.column(status), value_set=pa.array(FAILED)).to_numpy(zero_copy_only=False)
        if not failed.any():
            continue
        ids = table.column("doc_id").filter(pa.array(failed))
        old = earlier.to_table(columns=["doc_id", *names], filter=lance_filters.all_of(
            lance_filters.compare("day", "=", day), lance_filters.compare(status, "=", "ok"),
            lance_filters.in_values("doc_id", ids.to_pylist())))
        if not old.num_rows:
            continue
        where = pc.index_in(table.column("doc_id"), value_set=old.column("doc_id"))
        where = where.to_numpy(zero_copy_only=False)
        take = failed & ~np.isnan(where.astype(float))
        rows = np.flatnonzero(take)
        source = where[rows].astype(np.int64)
        mask = np.zeros(table.num_rows, dtype=bool)
        mask[rows] = True
        error = table.column(f"{t.name}__error").combine_chunks().take(pa.array(rows))
        notes = pc.binary_join_element_wise(error, pa.scalar(KEPT_NOTE), "; ")
        for name in names:
            replacement = notes if name == f"{t.name}__error" else old.column(name).take(pa.array(source))
            table = table.set_column(table.schema.get_field_index(name), name, pc.replace_with_mask(
                table.column(name).combine_chunks(), pa.array(mask), replacement.combine_chunks()
                if isinstance(replacement, pa.ChunkedArray) else replacement))
        kept += len(rows)
    return table, kept
