"""Partition-pruned Lance reads: which fragments hold the wanted partitions, and a pushdown scanner."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pyarrow as pa

from resources.lance_content_hash import hash_reader
from resources.lance_filters import PartitionKey, partition_predicate


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


# Read-ahead for a slow consumer: two batches, one fragment, 32 MB of I/O (Lance's default io_buffer_size is
# 2 GiB, which a slow consumer lets fill: the clean stage grew with the partition).
STREAMING = {"batch_readahead": 2, "fragment_readahead": 1, "io_buffer_size": 32 << 20}


def scanner(ds, selection: Selection, columns: Sequence[str] | None = None, batch_size: int | None = None,
            streaming: bool = False, blobs_as_bytes: bool = False):
    """A pushdown scanner; `streaming` bounds read-ahead so a slow consumer holds little memory. Blob
    columns come back as descriptors unless `blobs_as_bytes` (content hashes read the bytes)."""
    if not selection.fragments:
        return None
    bounded = dict(STREAMING) if streaming else {}
    if blobs_as_bytes:
        bounded["blob_handling"] = "all_binary"
    return ds.scanner(columns=list(columns) if columns else None, filter=selection.filter,
                      fragments=selection.fragments, batch_size=batch_size, **bounded)


def partition_hash(ds, columns: Sequence[str], keys: Sequence[PartitionKey] | None) -> str:
    """Content hash of the rows of `keys` (all rows when None) in `ds` as it is checked out."""
    scan = scanner(ds, select_partitions(ds, columns, keys), blobs_as_bytes=True)
    return hash_reader(scan.to_batches() if scan is not None else iter(()))


def empty_reader(ds, columns: Sequence[str] | None) -> pa.RecordBatchReader:
    schema = ds.schema if not columns else pa.schema([ds.schema.field(c) for c in columns])
    return pa.RecordBatchReader.from_batches(schema, iter(()))


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
