"""Arrow schemas of the clean stage's three outputs (the pandera contracts check the same columns)."""

from __future__ import annotations

import pyarrow as pa

from platform_assets.processors.pipeline import KEPT_SCHEMA
from platform_assets.processors.pipeline import REJECTED_SCHEMA as PROCESSOR_REJECTED_SCHEMA

# The document processors' columns, plus what dedup adds.
CLEAN_SCHEMA = KEPT_SCHEMA.append(pa.field("dup_cluster_id", pa.string())).append(
    pa.field("dup_cluster_size", pa.int32()))
REJECTED_SCHEMA = PROCESSOR_REJECTED_SCHEMA.append(pa.field("duplicate_of", pa.string()))
INDEX_SCHEMA = pa.schema([
    ("doc_id", pa.string()), ("day", pa.string()), ("preset", pa.string()), ("bands", pa.list_(pa.uint64())),
])
OUTPUT_SCHEMAS = {"clean_documents": CLEAN_SCHEMA, "rejected_documents": REJECTED_SCHEMA,
                  "near_dup_index": INDEX_SCHEMA}


def conform(data: pa.RecordBatch | pa.Table, schema: pa.Schema) -> pa.Table:
    """`data` with exactly `schema`'s columns, in order, cast; a missing nullable column becomes nulls."""
    table = data if isinstance(data, pa.Table) else pa.Table.from_batches([data])
    columns = []
    for field in schema:
        if field.name in table.column_names:
            col = table.column(field.name)
            columns.append(col if col.type == field.type else col.cast(field.type))
        elif field.nullable:
            columns.append(pa.nulls(table.num_rows, field.type))
        else:
            raise ValueError(f"column {field.name!r} is missing from the processor output")
    return pa.Table.from_arrays(columns, schema=schema)
