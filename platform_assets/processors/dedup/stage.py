"""The clean stage of one partition, streamed in two passes so memory does not grow with the partition.

Pass 1 sends raw batches through the document processors on the executor; each batch comes back with its
kept rows, rejected rows and the dedup keys of the kept rows (exact hash and LSH band keys: ~130 bytes a
document). Kept and rejected rows are spooled to scratch Lance datasets. Dedup is then decided from the keys
alone. Pass 2 streams the spools into the three outputs: clean rows with their cluster, rejected rows (the
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

from platform_assets.processors.dedup.decide import EXACT, REDELIVERED, Decisions, decide, mark_redelivered
from platform_assets.processors.dedup.presets import DEFAULT_PRESET, get_preset
from platform_assets.processors.dedup.prior import PriorMatches, match_prior
from platform_assets.processors.dedup.schemas import CLEAN_SCHEMA, INDEX_SCHEMA, REJECTED_SCHEMA, conform
from platform_assets.processors.dedup.spool import Spool, remove_tree
from platform_assets.processors.dedup.worker import BatchOutcome, process_batch
from platform_assets.processors.domain import DOMAINS

DEDUP_FILTERS = {EXACT: "exact_dedup_v1", "near_duplicate": "minhash_dedup_v1", REDELIVERED: "redelivery_v1"}
ROW = "_row"


@dataclass(frozen=True)
class StageOptions:
    day: str
    preset: str = DEFAULT_PRESET
    scope: Literal["partition", "incremental"] = "partition"
    batch_rows: int = 1024  # rows per task: the processors' working memory grows with the batch


class CleanStage:
    """One partition's clean stage; `run` (pass 1 + decisions), then the `*_batches` streams, then `close`."""

    def __init__(self, executor: Any, clean_config: Any, options: StageOptions, scratch_uri: str,
                 storage_options: dict | None = None):
        self.executor, self.clean_config, self.options = executor, clean_config, options
        self.preset = get_preset(options.preset)
        self.scratch_uri = scratch_uri
        self.kept = Spool(f"{scratch_uri}/kept.lance", storage_options=storage_options)
        self.rejected = Spool(f"{scratch_uri}/rejected.lance", storage_options=storage_options)
        self.raw_rows = 0
        self.dropped: Counter[str] = Counter()
        self.counts: Counter[str] = Counter()  # the processors' counts (CleanResult.counts), summed
        self.decisions: Decisions | None = None
        self.prior: PriorMatches | None = None
        self._parts: dict[str, list[np.ndarray]] = {k: [] for k in ("doc_id", "exact", "keys", "present",
                                                                     "tokens", "emails", "phones", "ips",
                                                                     "domain")}

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

    def run(self, raw: Iterable[pa.RecordBatch], prior_index: Iterable[pa.RecordBatch] | None = None,
            held: Iterable[pa.RecordBatch] = ()) -> None:
        """Pass 1 and the dedup decisions; `prior_index` (incremental scope) streams earlier index rows,
        `held` the doc_id batches clean_documents holds on other days (their re-deliveries are dropped)."""
        for out in self.executor.map_batches(process_batch, self._tasks(raw), self.clean_config,
                                             self.preset.name):
            self._collect(out)
        parts = {k: np.concatenate(v) if v else None for k, v in self._parts.items()}
        n = self.kept.rows
        doc_ids = parts["doc_id"] if n else np.empty(0, object)
        exact = parts["exact"] if n else np.empty((0, 2), np.uint64)
        keys = parts["keys"] if n else np.empty((0, self.preset.bands), np.uint64)
        present = parts["present"] if n else np.empty(0, bool)
        if self.options.scope == "incremental" and prior_index is not None:
            self.prior = match_prior(keys, present, prior_index)
        self.decisions = decide(doc_ids, exact, keys, present, self.prior)
        mark_redelivered(self.decisions, doc_ids, _held_here(doc_ids, held))
        self._doc_ids, self._keys, self._present = doc_ids, keys, present
        self._totals = {k: parts[k] for k in ("tokens", "emails", "phones", "ips", "domain")} if n else {}

    def _collect(self, out: BatchOutcome) -> None:
        start = self.kept.rows
        rows = pa.array(np.arange(start, start + out.kept.num_rows, dtype=np.int64))
        self.kept.add(out.kept.append_column(ROW, rows))
        self.rejected.add(out.rejected)
        self.counts.update(out.counts)
        for item in pc.value_counts(out.rejected.column("reason")).to_pylist():
            self.dropped[item["values"] or "unknown"] += item["counts"]
        kept = out.kept
        self._parts["doc_id"].append(kept.column("doc_id").to_numpy(zero_copy_only=False).astype(object))
        self._parts["exact"].append(out.exact)
        self._parts["keys"].append(out.keys)
        self._parts["present"].append(out.present)
        for part, col in (("tokens", "token_count"), ("emails", "pii_emails"), ("phones", "pii_phones"),
                          ("ips", "pii_ips")):
            self._parts[part].append(pc.fill_null(kept.column(col), 0).to_numpy().astype(np.int64))
        domain = pc.index_in(kept.column("domain"), value_set=pa.array(DOMAINS, pa.string()))
        self._parts["domain"].append(pc.fill_null(domain, -1).to_numpy().astype(np.int8))

    # ------------------------------------------------------------------------------------------ pass 2

    def clean_batches(self) -> Iterator[pa.RecordBatch]:
        """Kept documents that survived dedup, with their cluster id and size."""
        d = self.decisions
        for batch in self.kept.reader():
            rows = batch.column(ROW).to_numpy()
            mask = d.keep[rows]
            if not mask.any():
                continue
            extra = {"dup_cluster_id": pa.array(d.cluster_id[rows][mask], pa.string()),
                     "dup_cluster_size": pa.array(d.cluster_size[rows][mask], pa.int32())}
            kept = pa.Table.from_batches([batch.filter(pa.array(mask))])
            for name, values in extra.items():
                kept = kept.append_column(name, values)
            yield from conform(kept, CLEAN_SCHEMA).to_batches()

    def rejected_batches(self, chunk: int = 2048) -> Iterator[pa.RecordBatch]:
        """The processors' drops, then the dedup drops (text kept, `duplicate_of` names the kept document)."""
        for batch in self.rejected.reader():
            yield from conform(batch, REJECTED_SCHEMA).to_batches()
        d = self.decisions
        dropped = np.flatnonzero(~d.keep)
        columns = ["doc_id", "source", "source_id", "day", "language", "text"]
        for start in range(0, len(dropped), chunk):
            rows = dropped[start: start + chunk]
            table = self.kept.take(rows.tolist(), columns=columns)
            reasons = d.reason[rows]
            table = (table.append_column("stage", pa.array(["dedup"] * len(rows), pa.string()))
                     .append_column("filter", pa.array([DEDUP_FILTERS[r] for r in reasons], pa.string()))
                     .append_column("reason", pa.array(reasons, pa.string()))
                     .append_column("score", pa.array(d.score[rows], pa.float64()))
                     .append_column("duplicate_of", pa.array(d.duplicate_of[rows], pa.string())))
            yield from conform(table, REJECTED_SCHEMA).to_batches()

    def index_batches(self, chunk: int = 65536) -> Iterator[pa.RecordBatch]:
        """One row per clean document: its band keys (none when it had no shingle)."""
        kept = np.flatnonzero(self.decisions.keep)
        bands = self.preset.bands
        for start in range(0, len(kept), chunk):
            rows = kept[start: start + chunk]
            lens = np.where(self._present[rows], bands, 0)
            offsets = pa.array(np.concatenate([[0], np.cumsum(lens)]).astype(np.int32))
            values = pa.array(self._keys[rows][self._present[rows]].ravel(), pa.uint64())
            yield pa.RecordBatch.from_arrays([
                pa.array(self._doc_ids[rows], pa.string()),
                pa.array([self.options.day] * len(rows), pa.string()),
                pa.array([self.preset.name] * len(rows), pa.string()),
                pa.ListArray.from_arrays(offsets, values, type=INDEX_SCHEMA.field("bands").type),
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
        keep = d.keep
        dedup = {r: d.count(r) for r in DEDUP_FILTERS}
        entering = len(keep)
        domains = Counter(self._totals["domain"][keep].tolist()) if self._totals else Counter()
        out: dict[str, Any] = {
            "raw_rows": self.raw_rows,
            "clean_rows": int(keep.sum()),
            **{f"clean_rows/{DOMAINS[i]}": n for i, n in sorted(domains.items()) if i >= 0},
            "rejected_rows": self.rejected.rows + sum(dedup.values()),
            **{f"dropped/{r}": n for r, n in sorted((self.dropped + Counter(dedup)).items()) if n},
            "dedup_rate": round(sum(dedup.values()) / entering, 6) if entering else 0.0,
            "dedup/preset": self.preset.name,
            "dedup/scope": self.options.scope,
            "lines_removed": self.counts["lines_removed"],
        }
        for key, part in (("tokens_kept", "tokens"), ("pii/emails", "emails"), ("pii/phones", "phones"),
                          ("pii/ips", "ips")):
            out[key] = int(self._totals[part][keep].sum()) if self._totals else 0
        if self.prior is not None:
            out["near_dup_index/rows_checked"] = self.prior.rows_checked
        return out

    def close(self) -> None:
        """Deletes the scratch datasets."""
        remove_tree(self.scratch_uri, [self.kept, self.rejected], self.kept.storage_options)


def _held_here(doc_ids: np.ndarray, held: Iterable[pa.RecordBatch]) -> set[str]:
    """The doc_ids of this partition found in `held`, streamed batch by batch (memory: the partition)."""
    if not len(doc_ids):
        return set()
    mine = pa.array(np.unique(doc_ids.astype(str)), pa.string())
    found: set[str] = set()
    for batch in held:
        ids = batch.column("doc_id")
        found.update(ids.filter(pc.is_in(ids, value_set=mine)).to_pylist())
    return found
