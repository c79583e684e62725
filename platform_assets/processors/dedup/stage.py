"""The clean stage of one partition, streamed in two passes so memory does not grow with the partition.

Pass 1 sends raw batches through the document processors on the executor; each batch comes back with its
kept rows, rejected rows and the dedup keys of the kept rows (exact hash and LSH band keys). Kept rows (with
their band keys) and rejected rows are spooled to scratch Lance datasets; the keys, with each document's row
number, go to sorted runs on local disk (`runs.py`, spilled every `spill_bytes`). Dedup is then decided by a
merge over the sorted keys and a union-find over the colliding documents only (`clusters.py`, `decide.py`).
Pass 2 streams the spools into the three outputs: clean rows with their cluster, rejected rows (the
processors' drops, then dedup drops with the kept document they duplicate), and the band-key index.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from platform_assets.processors.dedup.clusters import EXACT_GROUP, band_group, collisions
from platform_assets.processors.dedup.decide import EXACT, REDELIVERED, Decisions, decide, mark_redelivered
from platform_assets.processors.dedup.index_lookup import IndexLookup
from platform_assets.processors.dedup.presets import DEFAULT_PRESET, get_preset
from platform_assets.processors.dedup.prior import PriorMatches, match_sorted
from platform_assets.processors.dedup.runs import SortedRuns
from platform_assets.processors.dedup.schemas import CLEAN_SCHEMA, INDEX_SCHEMA, REJECTED_SCHEMA, conform
from platform_assets.processors.dedup.spool import Spool, remove_tree
from platform_assets.processors.dedup.worker import BatchOutcome, process_batch
from platform_assets.processors.domain import DOMAINS
from platform_assets.processors.hashing import hash64

DEDUP_FILTERS = {EXACT: "exact_dedup_v1", "near_duplicate": "minhash_dedup_v1", REDELIVERED: "redelivery_v1"}
ROW, BANDS = "_row", "_bands"
DOC_GROUP = "doc_id"  # xxh3-64 of each doc_id: finds re-deliveries without holding the partition's ids
TOTALS = (("tokens_kept", "token_count"), ("pii/emails", "pii_emails"), ("pii/phones", "pii_phones"),
          ("pii/ips", "pii_ips"))


Scope = Literal["partition", "incremental"]


def known_scope(value: str) -> str:
    """`value` if it is a dedup scope (a stage config's `scope` validator), else ValueError naming both."""
    if value not in Scope.__args__:
        raise ValueError(f"scope {value!r}: choose 'partition' or 'incremental'")
    return value


@dataclass(frozen=True)
class StageOptions:
    day: str
    preset: str = DEFAULT_PRESET
    scope: Scope = "partition"
    batch_rows: int = 256  # rows per task: a worker's working memory grows with it (~100 MB at 1,024)
    spill_bytes: int = 64 << 20  # dedup keys held in memory before they spill to a sorted run on disk
    spill_dir: str | None = None  # where the runs go (local disk; default: the system's temporary folder)


class CleanStage:
    """One partition's clean stage; `run` (pass 1 + decisions), then the `*_batches` streams, then `close`."""

    def __init__(self, executor: Any, clean_config: Any, options: StageOptions, scratch_uri: str,
                 storage_options: dict | None = None):
        self.executor, self.clean_config, self.options = executor, clean_config, options
        self.preset = get_preset(options.preset)
        self.scratch_uri = scratch_uri
        self.kept = Spool(f"{scratch_uri}.kept.lance", storage_options=storage_options)
        self.rejected = Spool(f"{scratch_uri}.rejected.lance", storage_options=storage_options)
        widths = {EXACT_GROUP: 2, DOC_GROUP: 1, **{band_group(b): 1 for b in range(self.preset.bands)}}
        self.runs = SortedRuns(widths, options.spill_bytes, options.spill_dir)
        self.raw_rows = 0
        self.dropped: Counter[str] = Counter()
        self.counts: Counter[str] = Counter()  # the processors' counts (CleanResult.counts), summed
        self.totals: Counter[str] = Counter()  # tokens, PII and rows per domain of the clean documents
        self.decisions: Decisions | None = None
        self.prior: PriorMatches | None = None
        self.lookup: dict[str, int] = {}  # the index lookup's work: rows read, runs, documents merged

    def _tasks(self, raw: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        """Raw batches cut to `batch_rows`; a slice is compacted, else pickling ships the whole buffers."""
        step = self.options.batch_rows
        for batch in raw:
            self.raw_rows += batch.num_rows
            if batch.num_rows <= step:
                if batch.num_rows:
                    yield batch
                continue
            for start in range(0, batch.num_rows, step):
                yield pa.concat_batches([batch.slice(start, step)])

    def run(self, raw: Iterable[pa.RecordBatch],
            prior_index: IndexLookup | Iterable[pa.RecordBatch] | None = None,
            held: Iterable[pa.RecordBatch] = ()) -> None:
        """Pass 1 and the dedup decisions; `prior_index` (incremental scope) looks the day's band keys up in
        the earlier days' index (`IndexLookup`), or streams every earlier index row to compare, `held` the
        doc_id batches clean_documents holds on other days (their re-deliveries are dropped)."""
        for out in self.executor.map_batches(process_batch, self._tasks(raw), self.clean_config,
                                             self.preset.name):
            self._collect(out)
        bands = self.preset.bands
        if self.options.scope == "incremental" and prior_index is not None:
            per_band = [self.runs.materialize(band_group(b)) for b in range(bands)]
            self.prior = (prior_index.match(per_band) if isinstance(prior_index, IndexLookup)
                          else match_sorted(per_band, prior_index))
            self.lookup = prior_index.runs.stats if isinstance(prior_index, IndexLookup) else {}
        extra = np.asarray(self.prior.current if self.prior else [], np.int64)
        found = collisions(self.runs, bands, self._fetch, extra)
        decisions = decide(found, self.prior)
        rows, ids = self._held_here(held)
        self.decisions = mark_redelivered(decisions, rows, ids)
        self._drop_totals()

    def _collect(self, out: BatchOutcome) -> None:
        start = self.kept.rows
        kept, n = out.kept, out.kept.num_rows
        rows = np.arange(start, start + n, dtype=np.int64)
        lens = np.where(out.present, self.preset.bands, 0)
        offsets = pa.array(np.concatenate([[0], np.cumsum(lens)]).astype(np.int32))
        bands = pa.ListArray.from_arrays(offsets, pa.array(out.keys[out.present].ravel(), pa.uint64()))
        self.kept.add(kept.append_column(ROW, pa.array(rows)).append_column(BANDS, bands))
        self.rejected.add(out.rejected)
        self.counts.update(out.counts)
        for item in pc.value_counts(out.rejected.column("reason")).to_pylist():
            self.dropped[item["values"] or "unknown"] += item["counts"]
        self._count(kept, +1)
        self.runs.add(EXACT_GROUP, out.exact, rows)
        for b in range(self.preset.bands):
            self.runs.add(band_group(b), out.keys[out.present, b], rows[out.present])
        ids = kept.column("doc_id").combine_chunks() if n else pa.array([], pa.string())
        self.runs.add(DOC_GROUP, hash64(ids.to_pylist()), rows)

    def _count(self, table: pa.Table, sign: int) -> None:
        """Adds (or takes away) the rows' tokens, PII and rows per domain to the clean totals."""
        for key, col in TOTALS:
            self.totals[key] += sign * int(pc.sum(pc.fill_null(table.column(col), 0)).as_py() or 0)
        for item in pc.value_counts(table.column("domain")).to_pylist():
            if item["values"] in DOMAINS:
                self.totals[f"clean_rows/{item['values']}"] += sign * item["counts"]

    def _fetch(self, rows: np.ndarray, chunk: int = 65536) -> tuple[np.ndarray, np.ndarray]:
        """doc_ids and band keys of kept-spool rows (ascending); zeros where a document had no shingle."""
        bands = self.preset.bands
        ids, keys = [], []
        for start in range(0, len(rows), chunk):
            table = self.kept.take(rows[start: start + chunk].tolist(), columns=["doc_id", BANDS])
            ids.append(table.column("doc_id").to_numpy(zero_copy_only=False).astype(object))
            col = table.column(BANDS).combine_chunks()
            lens = pc.fill_null(col.value_lengths(), 0).to_numpy(zero_copy_only=False)
            block = np.zeros((len(table), bands), np.uint64)
            block[lens == bands] = col.flatten().to_numpy(zero_copy_only=False).reshape(-1, bands)
            keys.append(block)
        return np.concatenate(ids or [np.empty(0, object)]), np.concatenate(keys or [np.empty((0, bands))])

    def _held_here(self, held: Iterable[pa.RecordBatch]) -> tuple[np.ndarray, np.ndarray]:
        """Rows of this partition whose doc_id is in `held` (streamed; candidates by doc_id hash, checked
        by doc_id): their row numbers (ascending) and doc_ids."""
        hashes, owners = self.runs.materialize(DOC_GROUP)
        candidates: set[int] = set()
        matched: set[str] = set()
        for batch in held:
            if not len(hashes):
                break
            ids = batch.column("doc_id").to_pylist()
            probe = hash64(ids)
            lo, hi = np.searchsorted(hashes, probe, "left"), np.searchsorted(hashes, probe, "right")
            for k in np.flatnonzero(hi > lo).tolist():
                candidates.update(owners[lo[k]:hi[k]].tolist())
                matched.add(ids[k])
        rows = np.array(sorted(candidates), np.int64)
        ids = self._fetch(rows)[0] if len(rows) else np.empty(0, object)
        same = np.fromiter((i in matched for i in ids), bool, len(ids))
        return rows[same], ids[same]

    def _drop_totals(self) -> None:
        d = self.decisions
        dropped = d.rows[~d.keep]
        columns = [c for _, c in TOTALS] + ["domain"]
        for start in range(0, len(dropped), 65536):
            self._count(self.kept.take(dropped[start: start + 65536].tolist(), columns=columns), -1)

    # ------------------------------------------------------------------------------------------ pass 2

    def clean_batches(self) -> Iterator[pa.RecordBatch]:
        """Kept documents that survived dedup, with their cluster id and size."""
        for batch in self.kept.reader():
            rows = batch.column(ROW).to_numpy()
            ids = batch.column("doc_id").to_numpy(zero_copy_only=False)
            keep, cluster, size = self.decisions.lookup(rows, ids)
            if not keep.any():
                continue
            kept = pa.Table.from_batches([batch.filter(pa.array(keep))])
            kept = kept.append_column("dup_cluster_id", pa.array(cluster[keep], pa.string()))
            kept = kept.append_column("dup_cluster_size", pa.array(size[keep], pa.int32()))
            yield from conform(kept, CLEAN_SCHEMA).to_batches()

    def rejected_batches(self, chunk: int = 2048) -> Iterator[pa.RecordBatch]:
        """The processors' drops, then the dedup drops (text kept, `duplicate_of` names the kept document)."""
        for batch in self.rejected.reader():
            yield from conform(batch, REJECTED_SCHEMA).to_batches()
        d = self.decisions
        dropped = np.flatnonzero(~d.keep)
        columns = ["doc_id", "source", "source_id", "day", "language", "text"]
        for start in range(0, len(dropped), chunk):
            at = dropped[start: start + chunk]
            table = self.kept.take(d.rows[at].tolist(), columns=columns)
            reasons = d.reason[at]
            table = (table.append_column("stage", pa.array(["dedup"] * len(at), pa.string()))
                     .append_column("filter", pa.array([DEDUP_FILTERS[r] for r in reasons], pa.string()))
                     .append_column("reason", pa.array(reasons, pa.string()))
                     .append_column("score", pa.array(d.score[at], pa.float64()))
                     .append_column("duplicate_of", pa.array(d.duplicate_of[at], pa.string())))
            yield from conform(table, REJECTED_SCHEMA).to_batches()

    def index_batches(self) -> Iterator[pa.RecordBatch]:
        """One row per clean document: its band keys (none when it had no shingle)."""
        for batch in self.kept.reader(columns=["doc_id", ROW, BANDS], batch_size=8192):
            hit, pos = self.decisions.find(batch.column(ROW).to_numpy())
            keep = np.ones(batch.num_rows, bool)
            keep[hit] = self.decisions.keep[pos[hit]]
            if not keep.any():
                continue
            kept = batch.filter(pa.array(keep))
            n = kept.num_rows
            yield pa.RecordBatch.from_arrays([
                kept.column("doc_id"), pa.array([self.options.day] * n, pa.string()),
                pa.array([self.preset.name] * n, pa.string()),
                kept.column(BANDS).cast(INDEX_SCHEMA.field("bands").type),
            ], schema=INDEX_SCHEMA)

    def readers(self) -> dict[str, pa.RecordBatchReader]:
        return {
            "clean_documents": pa.RecordBatchReader.from_batches(CLEAN_SCHEMA, self.clean_batches()),
            "rejected_documents": pa.RecordBatchReader.from_batches(REJECTED_SCHEMA, self.rejected_batches()),
            "near_dup_index": pa.RecordBatchReader.from_batches(INDEX_SCHEMA, self.index_batches()),
        }

    # ---------------------------------------------------------------------------------------- summary

    def summary(self) -> dict[str, Any]:
        """The partition's funnel: rows in, kept (in all and per domain), dropped per reason, dedup rate,
        lines the C4 edits removed (`lines_removed`, from documents C4 kept), PII and tokens kept."""
        d = self.decisions
        dedup = {r: d.count(r) for r in DEDUP_FILTERS}
        entering = self.kept.rows
        domains = [(f"clean_rows/{name}", self.totals[f"clean_rows/{name}"]) for name in DOMAINS]
        out: dict[str, Any] = {
            "raw_rows": self.raw_rows,
            "clean_rows": entering - sum(dedup.values()),
            **{key: n for key, n in domains if n},
            "rejected_rows": self.rejected.rows + sum(dedup.values()),
            **{f"dropped/{r}": n for r, n in sorted((self.dropped + Counter(dedup)).items()) if n},
            "dedup_rate": round(sum(dedup.values()) / entering, 6) if entering else 0.0,
            "dedup/preset": self.preset.name,
            "dedup/scope": self.options.scope,
            "lines_removed": self.counts["lines_removed"],
            **{key: self.totals[key] for key, _ in TOTALS},
        }
        if self.prior is not None:
            out["near_dup_index/rows_checked"] = self.prior.rows_checked
            out.update({f"near_dup_index/{k}": v for k, v in sorted(self.lookup.items())})
        return out

    def close(self) -> None:
        """Deletes the scratch datasets and the sorted runs."""
        self.runs.close()
        remove_tree(self.scratch_uri, [self.kept, self.rejected], self.kept.storage_options)
