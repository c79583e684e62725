"""`contamination`: per day, every (document, eval item) n-gram overlap and what to do about it."""

import time
from collections import Counter
from collections.abc import Iterable, Iterator

import dagster as dg
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from platform_assets import partitions
from platform_assets.eval_sets import catalog
from platform_assets.eval_sets.eval_ngram_index import index_from_table
from platform_assets.metadata_tables import counts
from platform_assets.processors import decontam
from resources import lance_writes
from resources.lance_io_manager import COLUMN_DESCRIPTIONS, LanceIOManager

SPANS = pa.list_(pa.list_(pa.int64()))
CONTAMINATION_SCHEMA = pa.schema([
    ("doc_id", pa.string()), ("day", pa.string()), ("eval_set", pa.string()), ("item_id", pa.string()),
    ("matched_ngrams", pa.int32()), ("ngram_texts", pa.list_(pa.string())), ("doc_matches", pa.int32()),
    ("action", pa.string()), ("reason", pa.string()), ("spans", SPANS), ("kept_spans", SPANS),
    ("preset", pa.string()),
])
CONTAMINATION_COLUMNS = {
    "doc_id": "the clean_documents document that overlaps an eval item",
    "day": "the day partition of the document (YYYY-MM-DD)",
    "eval_set": "the eval set of the matched item (or of the canary string found)",
    "item_id": "the matched eval item; null for a canary hit",
    "matched_ngrams": "distinct n-grams the document shares with the item",
    "ngram_texts": "the first 20 matched n-grams, as text",
    "doc_matches": "eval items this document matches in all",
    "action": "cut (remove the spans) or drop (the whole document)",
    "reason": "why: ngram_cut, ngram_match, too_many_matches or canary",
    "spans": "[start, end) character spans to cut, with the preset's margin",
    "kept_spans": "the [start, end) pieces of the text that remain after the cut",
    "preset": "the decontamination preset (lm_eval: 13-grams, datatrove: 12-grams)",
}


class ContaminationConfig(dg.Config):
    """`preset`: lm_eval (13-gram cut-and-split, the default) or datatrove (12-gram, drop on any match)."""

    preset: str = "lm_eval"
    chunk_bytes: int = 1 << 20  # text per vectorised pass: ~1 MB keeps the numpy arrays in cache


@dg.asset(
    partitions_def=partitions.daily_partitions,
    metadata={**partitions.DAILY_METADATA, COLUMN_DESCRIPTIONS: CONTAMINATION_COLUMNS},
    ins={
        "clean_documents": dg.AssetIn(metadata={"columns": ["doc_id", "day", "text"]}),
        "eval_ngram_index": dg.AssetIn(),
        "eval_items": dg.AssetIn(metadata={"columns": ["eval_set", "canary"]},
                                 partition_mapping=dg.AllPartitionMapping()),
    },
    io_manager_key="lance_io_manager",
    kinds={"numpy"},
    code_version=f"{decontam.VERSION}-{catalog.catalog_version()}",
    check_specs=[dg.AssetCheckSpec(
        "eval_sets_indexed", asset="contamination",
        description="the day was scanned against n-grams of every eval set (an eval set whose items are all "
                    "shorter than the preset's n, or an empty index, decontaminates nothing: every day would "
                    "look clean)")],
)
def contamination(
    context: dg.AssetExecutionContext, config: ContaminationConfig, clean_documents: pa.RecordBatchReader,
    eval_ngram_index: pa.Table, eval_items: pa.Table, lance_io_manager: dg.ResourceParam[LanceIOManager],
):
    """One (document, eval item) overlap of the day: the count and (first 20) texts of the matched n-grams,
    action (cut|drop), spans to cut and the pieces to keep; a canary hit is a row with item_id null.

    The day streams through the checker and its rows into the output's uncommitted fragments, counted on
    the way (`Tally`); the IO manager commits them as the partition in one commit."""
    preset = decontam.PRESETS[config.preset]
    started, tally, day = time.perf_counter(), Tally(), context.partition_key
    rows = contamination_batches(clean_documents, index_from_table(eval_ngram_index, preset.n),
                                 canaries_of(eval_items), preset, day, tally, config.chunk_bytes)
    written = lance_writes.write_partition(
        lance_io_manager.uri_for(context.assets_def.key),
        pa.RecordBatchReader.from_batches(CONTAMINATION_SCHEMA, rows), [partitions.DAY_COLUMN], (day,),
        lance_io_manager.storage_options)
    seconds = time.perf_counter() - started
    stats = tally.stats()
    return dg.MaterializeResult(value=written, metadata={
        **stats, "preset": preset.name, "seconds": round(seconds, 3),
        "mb_per_s": round(stats["text_mb"] / seconds, 2) if seconds else 0.0,
        "contaminated_items": counts(tally.items_by_set(), "eval_set", "items"),
    }, check_results=[indexed_check(eval_items, eval_ngram_index, preset)])


def indexed_check(eval_items: pa.Table, index: pa.Table, preset: decontam.Preset) -> dg.AssetCheckResult:
    """ERROR when an eval set of eval_items has no n-gram of the preset's size in the index (or the index
    is empty): its leaks cannot be found, so a contaminated day would pass as clean."""
    sets = set(eval_items.column("eval_set").to_pylist())
    rows = index.filter(pc.equal(index["n"], preset.n))
    indexed = set(rows.column("eval_set").to_pylist())
    missing = sorted(sets - indexed)
    problem = (f"the eval n-gram index holds no {preset.n}-grams: nothing is decontaminated (materialize "
               "eval_items and eval_ngram_index)" if not rows.num_rows else
               f"{', '.join(missing)}: no item has {preset.n} words or more, so these eval sets are never "
               f"matched (preset {preset.name})" if missing else "")
    return dg.AssetCheckResult(
        check_name="eval_sets_indexed", asset_key="contamination", passed=not problem,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"n": preset.n, "eval_sets": len(sets), "eval_sets_indexed": len(sets & indexed),
                  "ngrams": rows.num_rows, **({"problem": problem} if problem else {})})


def canaries_of(items: pa.Table) -> dict[str, str]:
    """Canary string -> its eval set."""
    rows = items.group_by(["eval_set", "canary"]).aggregate([]).to_pylist()
    return {r["canary"]: r["eval_set"] for r in rows if r["canary"]}


class Tally:
    """What a day's scan found, kept while its rows stream out: documents and text scanned, documents
    dropped and cut, and the distinct eval items matched (bounded by the eval sets, not the day)."""

    def __init__(self):
        self.docs, self.size, self.dropped, self.cut = 0, 0, 0, 0
        self.items: set[tuple[str, str]] = set()

    def add(self, table: pa.Table) -> None:
        actions = table.group_by(["doc_id", "action"]).aggregate([]).column("action").to_pylist()
        self.dropped, self.cut = self.dropped + actions.count("drop"), self.cut + actions.count("cut")
        hits = table.filter(pc.is_valid(table["item_id"])).select(["eval_set", "item_id"])
        self.items.update(zip(*hits.to_pydict().values(), strict=True))

    def stats(self) -> dict:
        return {"docs_scanned": self.docs, "text_mb": round(self.size / 1e6, 3),
                "docs_dropped": self.dropped, "docs_cut": self.cut}

    def items_by_set(self) -> dict[str, int]:
        """Distinct eval items with at least one match, per eval set (canary rows excluded)."""
        return dict(Counter(eval_set for eval_set, _ in self.items))


def contamination_batches(
    batches: Iterable[pa.RecordBatch], index: decontam.NgramIndex, canaries: dict[str, str],
    preset: decontam.Preset, day: str, tally: Tally, chunk_bytes: int = 1 << 20,
) -> Iterator[pa.RecordBatch]:
    """Streams record batches (doc_id, text) through the checker in chunks of about `chunk_bytes` of
    text; yields each chunk's contamination rows as they are found, and counts the scan in `tally`."""
    for batch in batches:
        lengths = pc.fill_null(pc.binary_length(batch.column("text")), 0).to_numpy(zero_copy_only=False)
        ends = np.cumsum(lengths)
        cuts = np.unique(np.searchsorted(ends, np.arange(chunk_bytes, ends[-1] if len(ends) else 0,
                                                         chunk_bytes), side="right"))
        for start, stop in zip(np.r_[0, cuts], np.r_[cuts, batch.num_rows], strict=True):
            if stop <= start:
                continue
            part = batch.slice(start, stop - start)
            rows = decontam.check_texts(part.column("doc_id").to_pylist(), part.column("text").to_pylist(),
                                        index, preset, canaries)
            if rows:
                table = pa.Table.from_pylist([{**r, "day": day} for r in rows], CONTAMINATION_SCHEMA)
                tally.add(table)
                yield from table.to_batches()
        tally.docs += batch.num_rows
        tally.size += int(ends[-1]) if len(ends) else 0
