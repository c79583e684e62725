"""Atomic Lance writes: replace some partitions in one commit, or overwrite the whole dataset, streaming.

Invariant: every fragment this module writes holds rows of exactly one partition. Replacing a partition is
then ONE `Update` commit that removes that partition's fragments and adds the new ones, so readers see
either the old or the new rows, never a mix, and writers of other partitions rebase without conflict.
Fragments that hold several partitions (written by other tools, or after a foreign compaction) are
handled too: their matching rows are deleted through a deletion vector in the same commit, and reads
check them row by row (`lance_scans.select_partitions`). `LanceIOManager` is the Dagster face of this.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import lance
import pyarrow as pa
import pyarrow.compute as pc
import tenacity
from lance import LanceOperation, Transaction

from resources.lance_content_hash import ContentHasher
from resources.lance_datasets import (
    DATA_CACHE_BYTES,
    DATA_STORAGE_VERSION,
    MAX_ROWS_PER_FILE,
    ensure_dataset,
    open_dataset,
)
from resources.lance_filters import PartitionKey, partition_predicate
from resources.lance_scans import partition_hash
from resources.lance_schema import conform, reconcile_schema

COMMIT_RETRIES = 30
FLUSH_ROWS = 256 * 1024  # a write of several partitions buffers up to this many rows per partition


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
            stream, uri, schema=schema, storage_options=storage_options, **fragment_options(),
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
    """Commits `make_operation(latest)`, re-planned on a conflict (an OSError); returns (dataset, the
    version it was planned on)."""
    retrying = tenacity.Retrying(
        stop=tenacity.stop_after_attempt(COMMIT_RETRIES),
        wait=tenacity.wait_exponential(multiplier=0.05, max=1.0),
        retry=tenacity.retry_if_exception_type(OSError),  # CommitConflictError is an OSError
    )
    try:
        for attempt in retrying:
            with attempt:
                ds = lance.dataset(uri, storage_options=storage_options)
                txn = Transaction(read_version=ds.version, operation=make_operation(ds),
                                  transaction_properties=properties)
                return lance.LanceDataset.commit(uri, txn, storage_options=storage_options), ds.version
    except tenacity.RetryError as e:
        raise RuntimeError(f"could not commit to {uri} after {COMMIT_RETRIES} attempts: "
                           f"{e.last_attempt.exception()}") from None


@dataclass(frozen=True)
class Fragments:
    """Uncommitted fragments that other processes (cluster workers), or the asset itself (`write_partition`),
    wrote into an output's dataset, in row order, with `prepare`'s schema; each holds rows of exactly the
    partition being written. `content_hash`, when the rows were hashed on the way in, saves the read-back."""

    fragments: list
    content_hash: str | None = None


def prepare(uri: str, incoming: pa.Schema, storage_options: dict | None = None) -> pa.Schema:
    """The dataset created if missing and new columns added: the schema fragments must be written with."""
    return _prepare(uri, incoming, storage_options)


def fragment_options() -> dict:
    """What `lance.fragment.write_fragments` is given here besides the data, schema and store settings."""
    return {"max_rows_per_file": MAX_ROWS_PER_FILE, "data_storage_version": DATA_STORAGE_VERSION,
            "data_cache_bytes": DATA_CACHE_BYTES}


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
    ds = _replace(uri, fragments, columns, keys, properties, storage_options)
    parts = {k: (h.rows, h.hexdigest()) for k, h in hashers.items()}
    digest = parts[keys[0]][1] if len(keys) == 1 else None
    return WriteResult(ds.version, rows, ds.count_rows(), ds.schema, digest, parts)


def commit_fragments(
    uri: str, written: Fragments, columns: Sequence[str], key: PartitionKey,
    properties: dict[str, str] | None = None, storage_options: dict | None = None,
) -> WriteResult:
    """Replaces partition `key` with fragments written elsewhere, in the same one commit as
    `replace_partitions`. Unless they were hashed on the way in (`write_partition`), the content hash is read
    back from the committed version (one streamed scan of the partition)."""
    ds = _replace(uri, written.fragments, columns, [key], properties, storage_options)
    rows = sum(f.num_rows for f in written.fragments)
    digest = written.content_hash or partition_hash(ds, columns, [key])
    return WriteResult(ds.version, rows, ds.count_rows(), ds.schema, digest, {key: (rows, digest)})


def write_partition(
    uri: str, data: pa.RecordBatchReader, columns: Sequence[str], key: PartitionKey,
    storage_options: dict | None = None,
) -> Fragments:
    """Streams `data` (rows of partition `key`) into uncommitted fragments of `uri`, hashed on the way in, as
    `replace_partitions` does before its commit. An asset that must finish its stream before it knows its
    metadata writes this way and returns the `Fragments`; the IO manager commits them in its one commit."""
    data = _with_partition_columns(data, columns, [key])
    schema = _prepare(uri, data.schema, storage_options)
    fragments, _, hashers = _write_fragments(data, uri, schema, columns, [key], storage_options)
    return Fragments(fragments, hashers[key].hexdigest())


def _replace(uri: str, fragments: list, columns: Sequence[str], keys: Sequence[PartitionKey],
             properties: dict[str, str] | None, storage_options: dict | None):
    def operation(ds):
        removed, updated = _fragment_plan(ds, columns, keys)
        return LanceOperation.Update(
            removed_fragment_ids=removed, updated_fragments=updated, new_fragments=fragments
        )

    ds, planned_on = _commit(uri, operation, properties or {}, storage_options)
    if ds.version != planned_on + 1:  # rebased over other commits: one may have written these partitions
        ds = _settle(uri, ds, columns, keys, fragments, properties or {}, storage_options)
    return ds


def append(
    uri: str, data: pa.RecordBatchReader, properties: dict[str, str] | None = None,
    storage_options: dict | None = None,
) -> WriteResult:
    """Adds `data` in one `Append` commit: no row of an earlier version changes (append-only datasets)."""
    schema = _prepare(uri, data.schema, storage_options)
    fragments, rows, _ = _write_fragments(data, uri, schema, [], [], storage_options)
    ds, _ = _commit(uri, lambda _: LanceOperation.Append(fragments), properties or {}, storage_options)
    return WriteResult(ds.version, rows, ds.count_rows(), ds.schema, None)


def _settle(uri: str, ds, columns: Sequence[str], keys: Sequence[PartitionKey], written: list,
            properties: dict[str, str], storage_options: dict | None):
    """After a rebased commit, removes fragments of `keys` that an earlier concurrent writer added.

    Two replaces of a partition that had no rows both remove nothing, so Lance rebases one onto the other
    and the partition would hold both writers' rows. Fragment ids grow with commit order, so the last
    committer's fragments win (a replace's semantics): each writer removes the fragments of its partitions
    older than its own, and a later writer removes this one's. Re-planned on a conflict, like any commit.
    """
    mine = {f.path for m in written for f in m.data_files()}
    if not mine:
        return ds
    pred = partition_predicate(columns, keys)

    def operation(latest):
        own = [f.fragment_id for f in latest.get_fragments() if _paths(f) & mine]
        older = [f.fragment_id for f in latest.get_fragments()
                 if own and f.fragment_id < min(own) and not _paths(f) & mine
                 and 0 < f.count_rows(pred) == f.count_rows()]
        return LanceOperation.Update(removed_fragment_ids=older, updated_fragments=[], new_fragments=[])

    latest = lance.dataset(uri, storage_options=storage_options)
    if not operation(latest).removed_fragment_ids:
        return latest
    return _commit(uri, operation, {**properties, "maslow/settled": "concurrent replace"}, storage_options)[0]


def _paths(fragment) -> set[str]:
    return {f.path for f in fragment.metadata.data_files()}


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
