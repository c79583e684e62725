"""Partition-aware Lance tables: atomic partition replacement, pushdown scans, versions and tags.

Pure Lance + Arrow, no Dagster import; `LanceIOManager` is the Dagster face of this module.

Invariant: every fragment this module writes holds rows of exactly one partition. Replacing a partition is
then ONE `Update` commit that removes that partition's fragments and adds the new ones, so readers see
either the old or the new rows, never a mix, and writers of other partitions rebase without conflict.
Fragments that hold several partitions (written by other tools, or after a foreign compaction) are
handled too: their matching rows are deleted through a deletion vector in the same commit, and reads
check them row by row (`select_partitions`).
"""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import lance
import pyarrow as pa
import pyarrow.compute as pc
import xxhash
from lance import LanceOperation, Transaction

DATA_STORAGE_VERSION = "2.2"
MAX_ROWS_PER_FILE = 1 << 20
COMMIT_RETRIES = 30
FLUSH_ROWS = 256 * 1024  # a write of several partitions buffers up to this many rows per partition
PartitionKey = tuple[str, ...]


class SchemaMismatchError(ValueError):
    """New data cannot be stored under the dataset's schema."""


@dataclass(frozen=True)
class WriteResult:
    """A committed write. `content_hash` covers the rows written when they are one partition (or the whole
    dataset); a write of several partitions has none, and `partitions` gives each its (rows, content hash)."""

    version: int
    rows_written: int
    total_rows: int
    schema: pa.Schema
    content_hash: str | None
    partitions: dict[PartitionKey, tuple[int, str]] = dataclasses.field(default_factory=dict)


class ContentHasher:
    """A hash of a stream's content that does not depend on how the stream is chunked.

    Rows are re-cut into fixed-size blocks and each block is hashed in Arrow IPC form, so the hash of
    the rows as written equals the hash of the same rows read back at that version (`maslow audit --verify`).
    """

    BLOCK_ROWS = 1 << 13  # small blocks keep the copies below cheap in memory

    def __init__(self) -> None:
        self._hash = xxhash.xxh3_128()
        self._pending: list[pa.RecordBatch] = []
        self._rows = 0
        self.rows = 0  # rows hashed so far

    def update(self, batch: pa.RecordBatch) -> None:
        self._pending.append(batch)
        self._rows += batch.num_rows
        self.rows += batch.num_rows
        while self._rows >= self.BLOCK_ROWS:
            table = pa.Table.from_batches(self._pending)
            self._digest(table.slice(0, self.BLOCK_ROWS))
            rest = table.slice(self.BLOCK_ROWS)
            self._pending, self._rows = rest.to_batches(), rest.num_rows

    def _digest(self, table: pa.Table) -> None:
        if table.num_rows:
            # Concatenating copies into fresh buffers, so a slice hashes like the same rows read back.
            fresh = pa.concat_tables([table, table.schema.empty_table()]).combine_chunks()
            for batch in fresh.to_batches():
                self._hash.update(memoryview(batch.serialize()))

    def hexdigest(self) -> str:
        if self._pending:
            self._digest(pa.Table.from_batches(self._pending))
            self._pending, self._rows = [], 0
        return self._hash.hexdigest()


def hash_reader(reader: pa.RecordBatchReader | Iterator[pa.RecordBatch]) -> str:
    hasher = ContentHasher()
    for batch in reader:
        hasher.update(batch)
    return hasher.hexdigest()


def dataset_uri(root_uri: str, key_path: Sequence[str]) -> str:
    return f"{root_uri.rstrip('/')}/{'/'.join(key_path)}.lance"


def open_dataset(uri: str, version: int | str | None = None, storage_options: dict | None = None):
    """The dataset at `uri`, at a version number or tag (time travel), or None when it does not exist."""
    try:
        return lance.dataset(uri, version=version, storage_options=storage_options)
    except (ValueError, FileNotFoundError):
        return None


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


# ---------------------------------------------------------------------------------------------- schema


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


def reconcile_schema(existing: pa.Schema, incoming: pa.Schema) -> tuple[pa.Schema, list[pa.Field]]:
    """The schema to write under and the nullable columns to add; raises on incompatible types."""
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


# ----------------------------------------------------------------------------------------------- write


def _with_partition_columns(
    reader: pa.RecordBatchReader, columns: Sequence[str], keys: Sequence[PartitionKey]
) -> pa.RecordBatchReader:
    """Adds constant partition columns when the data lacks them (allowed only for a single key)."""
    missing = [c for c in columns if c not in reader.schema.names]
    if not missing:
        return reader
    if len(keys) != 1:
        raise ValueError(
            f"the data has no partition column(s) {missing} but covers {len(keys)} partitions; "
            "add the column so rows can be routed to their partition"
        )
    values = dict(zip(columns, keys[0], strict=True))
    schema = reader.schema
    for c in missing:
        schema = schema.append(pa.field(c, pa.string(), nullable=False))

    def batches() -> Iterator[pa.RecordBatch]:
        for b in reader:
            extra = [pa.array([values[c]] * b.num_rows, pa.string()) for c in missing]
            yield pa.RecordBatch.from_arrays(list(b.columns) + extra, schema=schema)

    return pa.RecordBatchReader.from_batches(schema, batches())


def _split_by_partition(
    batch: pa.RecordBatch, columns: Sequence[str], keys: Sequence[PartitionKey]
) -> Iterator[tuple[PartitionKey, pa.RecordBatch]]:
    if batch.num_rows == 0:
        return
    table = pa.Table.from_batches([batch])
    groups = table.group_by(list(columns), use_threads=False).aggregate([])
    allowed = set(keys)
    for row in groups.to_pylist():
        key = tuple(str(row[c]) for c in columns)
        if key not in allowed:
            raise ValueError(
                f"row with partition {dict(zip(columns, key, strict=True))} is outside the partitions "
                f"being written ({sorted(allowed)[:5]}...)"
            )
        mask = None
        for c, v in zip(columns, key, strict=True):
            m = pc.equal(table.column(c), pa.scalar(v, table.schema.field(c).type))
            mask = m if mask is None else pc.and_(mask, m)
        yield key, table.filter(mask).combine_chunks().to_batches()[0]


def _write_fragments(
    reader: pa.RecordBatchReader, uri: str, schema: pa.Schema, columns: Sequence[str],
    keys: Sequence[PartitionKey], storage_options: dict | None,
) -> tuple[list, int, dict[PartitionKey, ContentHasher]]:
    """Writes uncommitted fragments, one partition per fragment; returns (fragments, rows, hashers).

    Each partition's rows are hashed in the order they are written, which is the order a scan of that
    partition reads them back (its fragments keep their order in the commit), so no read-back is needed.
    """
    count = 0
    hashers = {k: ContentHasher() for k in keys}

    def counted(batches: Iterator[pa.RecordBatch], key: PartitionKey | None) -> Iterator[pa.RecordBatch]:
        nonlocal count
        for b in batches:
            count += b.num_rows
            if key in hashers:
                hashers[key].update(b)
            yield b

    def write(batches: Iterator[pa.RecordBatch], key: PartitionKey | None) -> list:
        return _reraising(lambda stream: lance.fragment.write_fragments(
            stream, uri, schema=schema, max_rows_per_file=MAX_ROWS_PER_FILE,
            data_storage_version=DATA_STORAGE_VERSION, storage_options=storage_options,
        ), schema, counted(batches, key))

    conformed = (conform(b, schema) for b in reader)
    if len(keys) <= 1:
        only = keys[0] if keys else None

        def checked() -> Iterator[pa.RecordBatch]:
            for b in conformed:
                for c, v in zip(columns, only or (), strict=False):
                    if b.num_rows and not pc.all(pc.equal(b.column(c), pa.scalar(v))).as_py():
                        raise ValueError(f"column {c!r} holds values other than the partition key {v!r}")
                yield b

        return write(checked(), only), count, hashers
    fragments, pending = [], {}
    for b in conformed:
        for key, part in _split_by_partition(b, columns, keys):
            pending.setdefault(key, []).append(part)
            if sum(p.num_rows for p in pending[key]) >= FLUSH_ROWS:
                fragments += write(iter(pending.pop(key)), key)
    for key, parts in pending.items():
        fragments += write(iter(parts), key)
    return fragments, count, hashers


def _reraising(write, schema: pa.Schema, batches: Iterator[pa.RecordBatch]):
    """Runs `write` over a stream; an error raised by the stream itself surfaces unwrapped."""
    errors: list[BaseException] = []

    def guarded() -> Iterator[pa.RecordBatch]:
        try:
            yield from batches
        except Exception as e:
            errors.append(e)
            raise

    try:
        return write(pa.RecordBatchReader.from_batches(schema, guarded()))
    except OSError:
        if errors:
            raise errors[0] from None
        raise


def ensure_dataset(uri: str, schema: pa.Schema, storage_options: dict | None = None):
    """Opens the dataset at `uri`, creating it empty with `schema` if it does not exist yet.

    Safe when several writers create the same dataset at once. `write_dataset(mode="create")` is not:
    a create that loses the race is rebased by Lance into an `Overwrite` of a later version, which
    silently drops whatever another writer committed in between. Here the first version is committed
    as `Overwrite` with `read_version=0` and no retries, so exactly one creator wins, and a loser only
    re-opens what the winner made.
    """
    ds = open_dataset(uri, storage_options=storage_options)
    if ds is not None:
        return ds
    try:
        return lance.LanceDataset.commit(
            uri, LanceOperation.Overwrite(schema, []), read_version=0, max_retries=0,
            enable_stable_row_ids=True, storage_options=storage_options,
            commit_message="maslow: create dataset",
        )
    except OSError:  # another writer created it first; anything else fails the re-open below
        ds = open_dataset(uri, storage_options=storage_options)
        if ds is None:
            raise
        return ds


def _fragment_plan(ds, columns: Sequence[str], keys: Sequence[PartitionKey]):
    """Fragment ids to remove and fragments to shrink so that `keys` disappear from the dataset.

    Counting reads only the partition column; a fragment holding other partitions too is shrunk with a
    deletion vector instead of being dropped, so no other partition's rows are touched.
    """
    pred = partition_predicate(columns, keys)
    removed, updated = [], []
    for frag in ds.get_fragments():
        matching = frag.count_rows(pred)
        if matching == 0:
            continue
        if matching == frag.count_rows():
            removed.append(frag.fragment_id)
        else:
            updated.append(frag.delete(pred))
    return removed, updated


def _commit(uri: str, make_operation, properties: dict[str, str], storage_options: dict | None):
    last_error: Exception | None = None
    for attempt in range(COMMIT_RETRIES):
        ds = lance.dataset(uri, storage_options=storage_options)
        txn = Transaction(read_version=ds.version, operation=make_operation(ds),
                          transaction_properties=properties)
        try:
            return lance.LanceDataset.commit(uri, txn, storage_options=storage_options)
        except OSError as e:  # CommitConflictError is an OSError
            last_error = e
            time.sleep(min(0.05 * 2**attempt, 1.0))
    raise RuntimeError(f"could not commit to {uri} after {COMMIT_RETRIES} attempts: {last_error}")


def _prepare(uri: str, incoming: pa.Schema, storage_options: dict | None):
    ds = ensure_dataset(uri, incoming, storage_options)
    schema, added = reconcile_schema(ds.schema, incoming)
    if added:
        ds.add_columns(added)
        ds = lance.dataset(uri, storage_options=storage_options)
        schema, _ = reconcile_schema(ds.schema, incoming)
    return schema


def replace_partitions(
    uri: str, data: pa.RecordBatchReader, columns: Sequence[str], keys: Sequence[PartitionKey],
    properties: dict[str, str] | None = None, storage_options: dict | None = None,
) -> WriteResult:
    """Replaces exactly the rows of `keys` with `data`, in one commit; other partitions are untouched.

    Each partition's rows and content hash are in `WriteResult.partitions` (hashed on the way in).
    """
    data = _with_partition_columns(data, columns, keys)
    schema = _prepare(uri, data.schema, storage_options)
    fragments, rows, hashers = _write_fragments(data, uri, schema, columns, keys, storage_options)

    def operation(ds):
        removed, updated = _fragment_plan(ds, columns, keys)
        return LanceOperation.Update(
            removed_fragment_ids=removed, updated_fragments=updated, new_fragments=fragments
        )

    ds = _commit(uri, operation, properties or {}, storage_options)
    parts = {k: (h.rows, h.hexdigest()) for k, h in hashers.items()}
    digest = parts[keys[0]][1] if len(keys) == 1 else None
    return WriteResult(ds.version, rows, ds.count_rows(), ds.schema, digest, parts)


def overwrite(
    uri: str, data: pa.RecordBatchReader, properties: dict[str, str] | None = None,
    storage_options: dict | None = None,
) -> WriteResult:
    """Replaces the whole (unpartitioned) dataset with `data` as one new version, streaming."""
    existing = open_dataset(uri, storage_options=storage_options)
    schema = data.schema if existing is None else reconcile_schema(existing.schema, data.schema)[0]
    rows, hasher = 0, ContentHasher()

    def batches() -> Iterator[pa.RecordBatch]:
        nonlocal rows
        for b in data:
            rows += b.num_rows
            conformed = conform(b, schema)
            hasher.update(conformed)
            yield conformed

    ds = _reraising(lambda stream: lance.write_dataset(
        stream, uri, schema=schema,
        mode="create" if existing is None else "overwrite", data_storage_version=DATA_STORAGE_VERSION,
        enable_stable_row_ids=True, max_rows_per_file=MAX_ROWS_PER_FILE, storage_options=storage_options,
        transaction_properties=properties or {}, commit_message=(properties or {}).get("message"),
    ), schema, batches())
    return WriteResult(ds.version, rows, ds.count_rows(), ds.schema, hasher.hexdigest())


# ------------------------------------------------------------------------------------------------ read


@dataclass(frozen=True)
class Selection:
    """What a partition-pruned scan reads: the fragments kept and the rows in them."""

    fragments: list
    rows_scanned: int
    filter: str | None


def select_partitions(
    ds, columns: Sequence[str], keys: Sequence[PartitionKey] | None, extra_filter: str | None = None
) -> Selection:
    """Prunes to the fragments that hold rows of `keys`.

    Fast path: two rows of each fragment's key columns are read, and a fragment that starts or ends in a
    wanted partition is kept. Any other fragment may still hold wanted rows in between (one written by
    another tool, or compacted from several partitions: A, B, A), so it is kept only when counting the
    partition predicate over its key columns finds a row.
    """
    if keys is None:
        frags = ds.get_fragments()
        return Selection(frags, sum(f.count_rows() for f in frags), extra_filter)
    pred = partition_predicate(columns, keys)
    wanted, kept = set(keys), []
    for frag in ds.get_fragments():
        n = frag.count_rows()  # live rows: take() skips deleted ones
        if n == 0:
            continue
        ends = frag.take([0, n - 1], columns=list(columns)).to_pylist()
        if any(tuple(str(r[c]) for c in columns) in wanted for r in ends) or frag.count_rows(pred) > 0:
            kept.append(frag)
    flt = pred if extra_filter is None else f"({pred}) AND ({extra_filter})"
    return Selection(kept, sum(f.count_rows() for f in kept), flt)


def scanner(ds, selection: Selection, columns: Sequence[str] | None = None, batch_size: int | None = None,
            streaming: bool = False):
    """A pushdown scanner; `streaming` bounds read-ahead so a slow consumer holds little memory."""
    if not selection.fragments:
        return None
    bounded = {"batch_readahead": 2, "fragment_readahead": 1} if streaming else {}
    return ds.scanner(columns=list(columns) if columns else None, filter=selection.filter,
                      fragments=selection.fragments, batch_size=batch_size, **bounded)


def partition_hash(ds, columns: Sequence[str], keys: Sequence[PartitionKey] | None) -> str:
    """Content hash of the rows of `keys` (all rows when None) in `ds` as it is checked out."""
    scan = scanner(ds, select_partitions(ds, columns, keys))
    return hash_reader(scan.to_batches() if scan is not None else iter(()))


def empty_reader(ds, columns: Sequence[str] | None) -> pa.RecordBatchReader:
    schema = ds.schema if not columns else pa.schema([ds.schema.field(c) for c in columns])
    return pa.RecordBatchReader.from_batches(schema, iter(()))


# -------------------------------------------------------------------------------------- versions, tags

_TAG_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def tag_name(*parts: str) -> str:
    return "-".join(_TAG_UNSAFE.sub("_", p) for p in parts if p)[:200]


def tag_version(ds, tag: str, version: int) -> str:
    """Pins `version` under `tag` so `cleanup` never removes it (idempotent)."""
    tags = ds.tags.list()
    if tag in tags:
        if tags[tag]["version"] != version:
            ds.tags.update(tag, version)
    else:
        ds.tags.create(tag, version)
    return tag


def cleanup(ds, older_than_seconds: float = 14 * 86400):
    """Removes untagged versions older than the window; tagged (recorded) versions always stay."""
    from datetime import timedelta

    return ds.cleanup_old_versions(
        older_than=timedelta(seconds=older_than_seconds), error_if_tagged_old_versions=False
    )


def scan_metrics(ds, selection: Selection, columns: Sequence[str] | None = None) -> dict[str, int]:
    """Lance's own counters (rows_scanned, fragments_scanned, bytes_read...) for the scan of `selection`."""
    scan = scanner(ds, selection, columns)
    if scan is None:
        return {"rows_scanned": 0, "fragments_scanned": 0}
    plan = scan.analyze_plan()
    read = next(line for line in plan.splitlines() if "LanceRead" in line)
    metrics = read.split("metrics=[", 1)[1].rstrip("]")
    return {k.strip(): int(float(v.split()[0])) for k, v in (m.split("=", 1) for m in metrics.split(", "))
            if k.strip() in ("rows_scanned", "fragments_scanned", "ranges_scanned", "iops")}
