"""The clean stage's tasks that touch data on a cluster: pass 1 on a raw batch, and pass 2 writing outputs.

Pass 1 spools a task's kept and rejected rows to `<scratch>.<task>.kept|rejected.lance` (small Lance
datasets, flat beside the run's other scratch so the sweep finds them) and returns
only its counts, its documents' attrs and its exact-hash shuffle parts. Pass 2 runs once per owner bucket:
it applies the verdicts to the kept rows of the tasks it owns and writes the three outputs as uncommitted
Lance fragments into the output datasets; the driver commits them (one commit per output).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import lance
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from platform_assets.processors.dedup.cluster_decide import VERDICTS
from platform_assets.processors.dedup.decide import EXACT, NEAR, REDELIVERED
from platform_assets.processors.dedup.prior import index_bands
from platform_assets.processors.dedup.schemas import CLEAN_SCHEMA, INDEX_SCHEMA, REJECTED_SCHEMA, conform
from platform_assets.processors.dedup.shuffle import (
    EXACT_CODE,
    KEEP,
    NEAR_CODE,
    NODES,
    PRIOR_TASK,
    REDELIVERED_CODE,
    Part,
    attrs,
    concat,
    empty_attrs,
    exact_parts,
    node_ids,
)
from platform_assets.processors.dedup.worker import process_batch
from platform_assets.processors.domain import DOMAINS

NODE = "_node"
REASONS = {EXACT_CODE: EXACT, NEAR_CODE: NEAR, REDELIVERED_CODE: REDELIVERED}
FILTERS = {EXACT: "exact_dedup_v1", NEAR: "minhash_dedup_v1", REDELIVERED: "redelivery_v1"}


@dataclass(frozen=True)
class Target:
    """Where an output's fragments go: the dataset (it exists), the schema to write, write options."""

    uri: str
    schema: pa.Schema
    options: dict[str, Any] = field(default_factory=dict)


def spool_uri(scratch: str, task: int, kind: str) -> str:
    return f"{scratch}.{task:08d}.{kind}.lance"


def drop_spools(tasks: list[int], scratch: str, storage_options: dict | None = None) -> None:
    """Deletes the tasks' spools through Lance (any store); a spool never written is fine."""
    for task in tasks:
        for kind in ("kept", "rejected"):
            try:
                lance.LanceDataset.drop(spool_uri(scratch, task, kind), storage_options=storage_options,
                                        ignore_not_found=True)
            except ValueError:  # files but no manifest (a crash mid-write): the scratch sweep drops them
                pass


def _spool(table: pa.Table, uri: str, storage_options: dict | None) -> None:
    if table.num_rows:  # "overwrite": a retried task may find its earlier attempt's spool
        lance.write_dataset(table, uri, mode="overwrite", storage_options=storage_options)


def _read(uri: str, storage_options: dict | None) -> pa.Table | None:
    try:
        return lance.dataset(uri, storage_options=storage_options).to_table()
    except ValueError:  # never written: the task had no such rows
        return None


def pass_one(batch: pa.RecordBatch, task: int, clean_config: Any, preset_name: str, scratch: str, day: str,
             parts: int, storage_options: dict | None = None) -> list:
    """The document processors on one raw batch; returns [meta, attrs, *exact shuffle parts]."""
    out = process_batch(batch, clean_config, preset_name)
    nodes = node_ids(task, out.kept.num_rows)
    _spool(out.kept.append_column(NODE, pa.array(nodes, pa.uint64())), spool_uri(scratch, task, "kept"),
           storage_options)
    _spool(out.rejected, spool_uri(scratch, task, "rejected"), storage_options)
    doc_ids = out.kept.column("doc_id").to_numpy(zero_copy_only=False).astype(object)
    dropped = Counter({i["values"] or "unknown": i["counts"]
                       for i in pc.value_counts(out.rejected.column("reason")).to_pylist()})
    meta = {"task": task, "raw": batch.num_rows, "kept": out.kept.num_rows, "rejected": out.rejected.num_rows,
            "counts": Counter(out.counts), "dropped": dropped}
    days = np.full(len(nodes), day, object)
    return [meta, attrs(nodes, doc_ids, days, out.keys, out.present),
            *exact_parts(nodes, doc_ids, out.exact, parts)]


def prior_attrs(batch: pa.RecordBatch, number: int, bands: int) -> Part:
    """An earlier day's near_dup_index batch as attrs of nodes numbered from `PRIOR_TASK + number`."""
    rows, keys = index_bands(batch, bands)
    present = np.zeros(batch.num_rows, bool)
    present[rows] = True
    full = np.zeros((batch.num_rows, bands), np.uint64)
    full[rows] = keys
    return attrs(node_ids(PRIOR_TASK + number, batch.num_rows), batch.column("doc_id").to_pylist(),
                 batch.column("day").to_pylist(), full, present)


def pass_two(tasks: list[int], bands: int, verdicts: list[Part], redelivered: list[Part], owned: list[Part],
             scratch: str, day: str, preset_name: str, targets: dict[str, Target],
             storage_options: dict | None = None) -> dict:
    """Writes one owner bucket's share of the three outputs; returns their fragments and the sums."""
    v = concat(verdicts, VERDICTS)
    again = set(concat(redelivered, NODES)["node"].tolist())
    keys = concat(owned, empty_attrs(bands))
    look = {"verdict": (np.argsort(v["node"], kind="stable"), v), "keys": (np.argsort(keys["node"]), keys)}
    sums: Counter = Counter()

    def tables() -> Iterator[tuple[pa.Table, dict]]:
        for task in tasks:
            kept = _read(spool_uri(scratch, task, "kept"), storage_options)
            if kept is not None:
                yield kept, _verdicts(kept.column(NODE).to_numpy(), look, again)

    written = {name: _write(gen, targets[name], storage_options) for name, gen in (
        ("clean_documents", _clean(tables(), sums)),
        ("rejected_documents", _rejected(tasks, tables(), scratch, sums, storage_options)),
        ("near_dup_index", _index(tables(), day, preset_name)),
    )}
    drop_spools(tasks, scratch, storage_options)
    return {"fragments": written, "sums": sums}


def _find(sorted_by: tuple[np.ndarray, Part], nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which `nodes` the part holds, and their rows in it (valid where found)."""
    order, part = sorted_by
    if not len(order):
        return np.zeros(len(nodes), bool), np.zeros(len(nodes), np.int64)
    at = order[np.searchsorted(part["node"], nodes, sorter=order).clip(0, len(order) - 1)]
    return part["node"][at] == nodes, at


def _verdicts(nodes: np.ndarray, look: dict, again: set) -> dict[str, np.ndarray]:
    """Per kept row: code, cluster doc_id (None: itself), size, score, band keys and presence."""
    v = look["verdict"][1]
    hit, at = _find(look["verdict"], nodes)
    out = {"code": np.full(len(nodes), KEEP, np.int8), "cluster": np.full(len(nodes), None, object),
           "size": np.ones(len(nodes), np.int32), "score": np.full(len(nodes), np.nan)}
    for name, column in (("code", "code"), ("cluster", "cluster"), ("size", "size"), ("score", "score")):
        out[name][hit] = v[column][at[hit]]
    redo = (out["code"] == KEEP) & np.fromiter((int(n) in again for n in nodes), bool, len(nodes))
    out["code"][redo], out["size"][redo], out["score"][redo] = REDELIVERED_CODE, 0, 1.0
    _, at = _find(look["keys"], nodes)
    out["keys"], out["present"] = look["keys"][1]["keys"][at], look["keys"][1]["present"][at]
    return out


def _clean(tables: Iterator[tuple[pa.Table, dict]], sums: Counter) -> Iterator[pa.Table]:
    for kept, d in tables:
        mask = d["code"] == KEEP
        if not mask.any():
            continue
        ids = kept.column("doc_id").to_numpy(zero_copy_only=False).astype(object)
        rows = kept.filter(pa.array(mask))
        cluster = np.where(d["cluster"][mask] == None, ids[mask], d["cluster"][mask])  # noqa: E711
        rows = rows.append_column("dup_cluster_id", pa.array(cluster, pa.string())).append_column(
            "dup_cluster_size", pa.array(d["size"][mask], pa.int32()))
        _add_sums(rows, sums)
        yield conform(rows, CLEAN_SCHEMA)


def _add_sums(rows: pa.Table, sums: Counter) -> None:
    sums["clean_rows"] += rows.num_rows
    for key, col in (("tokens_kept", "token_count"), ("pii/emails", "pii_emails"),
                     ("pii/phones", "pii_phones"), ("pii/ips", "pii_ips")):
        sums[key] += int(pc.sum(pc.fill_null(rows.column(col), 0)).as_py() or 0)
    for item in pc.value_counts(rows.column("domain")).to_pylist():
        if item["values"] in DOMAINS:
            sums[f"clean_rows/{item['values']}"] += item["counts"]


def _rejected(tasks: list[int], tables: Iterator[tuple[pa.Table, dict]], scratch: str, sums: Counter,
              storage_options: dict | None) -> Iterator[pa.Table]:
    """The processors' drops of the owned tasks, then their dedup drops (as the local stage orders them)."""
    for task in tasks:
        rejected = _read(spool_uri(scratch, task, "rejected"), storage_options)
        if rejected is not None:
            yield conform(rejected, REJECTED_SCHEMA)
    columns = ["doc_id", "source", "source_id", "day", "language", "text"]
    for kept, d in tables:
        drop = d["code"] != KEEP
        if not drop.any():
            continue
        ids = kept.column("doc_id").to_numpy(zero_copy_only=False).astype(object)
        reasons = [REASONS[c] for c in d["code"][drop].tolist()]
        sums.update(reasons)
        dup_of = np.where(d["code"][drop] == REDELIVERED_CODE, ids[drop], d["cluster"][drop])
        table = (kept.filter(pa.array(drop)).select(columns)
                 .append_column("stage", pa.array(["dedup"] * len(reasons), pa.string()))
                 .append_column("filter", pa.array([FILTERS[r] for r in reasons], pa.string()))
                 .append_column("reason", pa.array(reasons, pa.string()))
                 .append_column("score", pa.array(d["score"][drop], pa.float64()))
                 .append_column("duplicate_of", pa.array(dup_of, pa.string())))
        yield conform(table, REJECTED_SCHEMA)


def _index(tables: Iterator[tuple[pa.Table, dict]], day: str, preset_name: str) -> Iterator[pa.Table]:
    for kept, d in tables:
        mask = d["code"] == KEEP
        if not mask.any():
            continue
        keys, present = d["keys"][mask], d["present"][mask]
        bands = keys.shape[1]
        offsets = pa.array(np.concatenate([[0], np.cumsum(np.where(present, bands, 0))]).astype(np.int32))
        values = pa.array(keys[present].ravel(), pa.uint64())
        n = int(mask.sum())
        yield pa.table([
            kept.column("doc_id").filter(pa.array(mask)), pa.array([day] * n, pa.string()),
            pa.array([preset_name] * n, pa.string()),
            pa.ListArray.from_arrays(offsets, values, type=INDEX_SCHEMA.field("bands").type),
        ], schema=INDEX_SCHEMA)


def _write(tables: Iterator[pa.Table], target: Target, storage_options: dict | None) -> list:
    """Uncommitted fragments of `tables` in the target dataset (none when there is no row)."""
    schema = target.schema

    def batches() -> Iterator[pa.RecordBatch]:
        for table in tables:
            yield from conform(table, schema).to_batches()

    return lance.fragment.write_fragments(pa.RecordBatchReader.from_batches(schema, batches()), target.uri,
                                          schema=schema, storage_options=storage_options, **target.options)
