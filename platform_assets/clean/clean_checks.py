"""Contracts and invariants of the clean stage, checked per daily partition after each materialization."""

from collections import Counter
from collections.abc import Iterable

import dagster as dg
import lance
import pandera.errors
import pandera.pyarrow as pp
import pyarrow as pa
import pyarrow.compute as pc

from platform_assets.partitions import daily_partitions
from platform_assets.processors.dedup.presets import PRESETS
from resources import lance_filters

_ID = pp.Column(pa.string(), nullable=False, checks=pp.Check.str_length(min_value=1))
_STR = pp.Column(pa.string(), nullable=True)
_DAY = pp.Column(pa.string(), nullable=False, checks=pp.Check.str_matches(r"^\d{4}-\d{2}-\d{2}$"))
_COUNT = pp.Column(pa.int32(), nullable=False, checks=pp.Check.ge(0))

CLEAN_CONTRACT = pp.DataFrameSchema({
    "doc_id": _ID, "source": _ID, "source_id": _STR, "day": _DAY, "url": _STR,
    "text": pp.Column(pa.string(), nullable=False), "domain": _STR, "language": _STR,
    "language_score": pp.Column(pa.float32(), nullable=True, checks=pp.Check.in_range(0.0, 1.0)),
    "token_count": pp.Column(pa.int32(), nullable=False, checks=pp.Check.ge(0)),
    "pii_emails": _COUNT, "pii_phones": _COUNT, "pii_ips": _COUNT,
    "dup_cluster_id": _ID, "dup_cluster_size": pp.Column(pa.int32(), nullable=False, checks=pp.Check.ge(1)),
}, strict=True, name="clean_documents")
REJECTED_CONTRACT = pp.DataFrameSchema({
    "doc_id": _ID, "source": _ID, "source_id": _STR, "day": _DAY, "stage": _ID, "filter": _ID,
    "reason": _ID, "score": pp.Column(pa.float64(), nullable=True), "language": _STR,
    "text": pp.Column(pa.string(), nullable=True), "duplicate_of": _STR,
}, strict=True, name="rejected_documents")
INDEX_CONTRACT = pp.DataFrameSchema({
    "doc_id": _ID, "day": _DAY, "preset": pp.Column(pa.string(), checks=pp.Check.isin(sorted(PRESETS))),
    "bands": pp.Column(pa.list_(pa.uint64()), nullable=False),
}, strict=True, name="near_dup_index")


def _validate(schema: pp.DataFrameSchema, batches: Iterable[pa.RecordBatch]) -> dg.AssetCheckResult:
    """Validates batch by batch (bounded memory); reports the first failing batch's errors."""
    rows = 0
    for batch in batches:
        try:
            schema.validate(pa.Table.from_batches([batch]), lazy=True)
        except pandera.errors.SchemaErrors as e:
            return dg.AssetCheckResult(passed=False, metadata={
                "rows_validated": rows, "failure": dg.MetadataValue.md(f"```\n{str(e)[:4000]}\n```")})
        rows += batch.num_rows
    return dg.AssetCheckResult(passed=True, metadata={"rows_validated": rows})


@dg.asset_check(asset="clean_documents", partitions_def=daily_partitions, blocking=True,
                description="pandera (pyarrow) contract: columns, types, nulls, ranges")
def clean_documents_contract(clean_documents: pa.RecordBatchReader) -> dg.AssetCheckResult:
    return _validate(CLEAN_CONTRACT, clean_documents)


@dg.asset_check(asset="rejected_documents", partitions_def=daily_partitions, blocking=True,
                description="pandera (pyarrow) contract: types; stage, filter and reason on every row")
def rejected_documents_contract(rejected_documents: pa.RecordBatchReader) -> dg.AssetCheckResult:
    return _validate(REJECTED_CONTRACT, rejected_documents)


@dg.asset_check(asset="near_dup_index", partitions_def=daily_partitions, blocking=True,
                description="pandera (pyarrow) contract: one row of band keys per clean document")
def near_dup_index_contract(near_dup_index: pa.RecordBatchReader) -> dg.AssetCheckResult:
    return _validate(INDEX_CONTRACT, near_dup_index)


def _ids(ds: lance.LanceDataset, day: str) -> pa.Array:
    one_day = lance_filters.partition_predicate(["day"], [(day,)])
    return ds.to_table(columns=["doc_id"], filter=one_day).column("doc_id").combine_chunks()


@dg.asset_check(asset="clean_documents", partitions_def=daily_partitions, blocking=True,
                description="no doc_id of the day appears twice in clean_documents, across every day")
def clean_documents_unique_doc_id(
    context: dg.AssetCheckExecutionContext, clean_documents: lance.LanceDataset
) -> dg.AssetCheckResult:
    """Lake-wide: streams the doc_id column of every day against the day's ids (memory: one day)."""
    day = context.partition_key
    ids = _ids(clean_documents, day)
    mine = pc.unique(ids)
    seen: Counter[str] = Counter()
    where: dict[str, set[str]] = {}
    for batch in clean_documents.scanner(columns=["doc_id", "day"]).to_reader():
        hit = batch.filter(pc.is_in(batch.column("doc_id"), value_set=mine))
        for doc, on in zip(hit.column("doc_id").to_pylist(), hit.column("day").to_pylist(), strict=True):
            seen[doc] += 1
            where.setdefault(doc, set()).add(on)
    repeated = sorted(d for d, n in seen.items() if n > 1)
    return dg.AssetCheckResult(passed=not repeated, metadata={
        "rows": len(ids), "repeated_doc_ids": len(repeated),
        "examples": "; ".join(f"{d} on {', '.join(sorted(where[d]))}" for d in repeated[:5])})


@dg.asset_check(
    asset="clean_documents", partitions_def=daily_partitions, blocking=True,
    additional_ins={"raw_documents": dg.AssetIn("raw_documents"),
                    "rejected_documents": dg.AssetIn("rejected_documents")},
    description="every raw record of the day is in exactly one of clean_documents and rejected_documents "
    "(unreadable records are quarantined before raw_documents, so they are not counted here)",
)
def clean_counts_add_up(
    context: dg.AssetCheckExecutionContext, clean_documents: lance.LanceDataset,
    raw_documents: lance.LanceDataset, rejected_documents: lance.LanceDataset,
) -> dg.AssetCheckResult:
    day = context.partition_key
    raw_ids, clean_ids, rejected_ids = (Counter(_ids(ds, day).to_pylist())
                                        for ds in (raw_documents, clean_documents, rejected_documents))
    raw, clean, rejected = set(raw_ids), set(clean_ids), set(rejected_ids)
    # a record delivered twice in one day has one doc_id twice: one copy clean, the other rejected
    both = {d for d in clean & rejected if raw_ids[d] < 2}
    lost = raw - clean - rejected
    unknown = (clean | rejected) - raw
    counts_match = raw_ids == clean_ids + rejected_ids
    return dg.AssetCheckResult(
        passed=counts_match and not (both or lost or unknown),
        metadata={"raw": raw_ids.total(), "clean": clean_ids.total(), "rejected": rejected_ids.total(),
                  "in_both": len(both),
                  "lost": len(lost), "not_in_raw": len(unknown),
                  "examples": ", ".join(sorted(both | lost | unknown)[:5])},
    )
