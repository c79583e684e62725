"""Schema evolution for Lance writes: which new types a stored column accepts, and conforming batches."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc


class SchemaMismatchError(ValueError):
    """New data cannot be stored under the dataset's schema."""


def _compatible(old: pa.DataType, new: pa.DataType) -> bool:
    if old.equals(new) or pa.types.is_null(new):
        return True
    for kind in (pa.types.is_integer, pa.types.is_floating):
        if kind(old) and kind(new):
            return new.bit_width <= old.bit_width and (
                not pa.types.is_integer(old) or pa.types.is_signed_integer(old) or
                not pa.types.is_signed_integer(new)
            )
    if pa.types.is_integer(new) and pa.types.is_floating(old):
        return True
    strings = (pa.types.is_string, pa.types.is_large_string, pa.types.is_string_view)
    binaries = (pa.types.is_binary, pa.types.is_large_binary, pa.types.is_binary_view)
    for family in (strings, binaries):
        if any(f(old) for f in family) and any(f(new) for f in family):
            return True
    return False


BLOB_METADATA = {b"lance-encoding:blob": b"true"}


def is_blob(field: pa.Field) -> bool:
    """A Lance blob column: written as binary with blob metadata, read back as Lance's blob extension type."""
    return (field.metadata or {}).get(b"lance-encoding:blob") == b"true" or (
        isinstance(field.type, pa.ExtensionType) and "blob" in field.type.extension_name)


def _writable(existing: pa.Schema, incoming: pa.Schema) -> pa.Schema:
    """`existing` with each blob column as the incoming data declares it (binary + blob metadata): a blob
    is written as bytes, though the dataset reports it as Lance's blob extension type."""
    return pa.schema([incoming.field(f.name) if is_blob(f) and f.name in incoming.names else f
                      for f in existing])


def reconcile_schema(existing: pa.Schema, incoming: pa.Schema) -> tuple[pa.Schema, list[pa.Field]]:
    """The schema to write under and the nullable columns to add; raises on incompatible types."""
    existing = _writable(existing, incoming)
    for field in incoming:
        if field.name in existing.names:
            old = existing.field(field.name).type
            if not _compatible(old, field.type):
                raise SchemaMismatchError(
                    f"column {field.name!r}: the dataset stores {old}, the new data has {field.type}; "
                    "write it under a new column name or migrate the dataset explicitly"
                )
    for field in existing:
        if field.name not in incoming.names and not field.nullable:
            raise SchemaMismatchError(f"column {field.name!r} ({field.type}) is missing and not nullable")
    added = [pa.field(f.name, f.type, nullable=True) for f in incoming if f.name not in existing.names]
    return pa.schema(list(existing) + added), added


def conform(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    """`batch` with exactly `schema`'s columns: cast where types differ, nulls where a column is absent."""
    arrays = []
    for field in schema:
        if field.name in batch.schema.names:
            col = batch.column(field.name)
            arrays.append(col if col.type.equals(field.type) else pc.cast(col, field.type))
        else:
            arrays.append(pa.nulls(batch.num_rows, field.type))
    return pa.RecordBatch.from_arrays(arrays, schema=schema)
