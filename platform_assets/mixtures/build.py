"""Builds one mixture from its spec: stage each component through the SQL engine, plan, stream the result.

1. Stage: each component's SQL (wrapped with the exclusions and the output projection) runs on the engine
   at pinned input versions and streams into a scratch Lance dataset, so no component is held in memory.
2. Plan: `sampling.plan_mixture` over the staged token counts and doc-id priorities (numpy only).
3. Write: the plan is walked in its shuffled order, a chunk at a time, fetching rows with Lance `take`
   (fast random access is what makes a global shuffle of a large mixture cheap). The chunks are built on
   one background thread, a few ahead of the writer that reads them (see `_prefetched`).
No dagster import: the asset in `mixtures.py` is the Dagster face of `build_mixture`.
"""

from __future__ import annotations

import queue
import shutil
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import lance
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from platform_assets.mixtures import sampling
from platform_assets.mixtures.spec import REQUIRED_COLUMNS, Component, MixtureSpec, MixtureSpecError
from resources.lance_scans import STREAMING

CHUNK_ROWS = 16 * 1024
KEY_ROWS = 64 * 1024  # pool keys scanned at a time
MEDIA_ASSET = "clean_media"  # a mixture reading it records its version in every row (media_version)
MEDIA_VERSION_COLUMN = "media_version"
PREFETCH_CHUNKS = 2


@dataclass
class BuiltMixture:
    reader: pa.RecordBatchReader  # the rows to write; draining it removes the scratch data
    plan: sampling.Plan
    input_versions: dict[str, int]


def component_sql(spec: MixtureSpec, component: Component) -> str:
    """The component's query projected to the mixture's columns, minus excluded documents.

    The exclusion is an anti-join in SQL (so it runs wherever the engine runs, pushed down into Lance);
    `checks.mixtures_exclude_eval_documents` verifies the result with eval_sets' own `leaked()`.
    """
    columns = ", ".join(f"src.{c}" for c in (*REQUIRED_COLUMNS, *spec.output_columns))
    where = []
    if spec.exclusions.contaminated:
        # eval_sets policy (platform_assets/eval_sets/exclusions.py): a cut document never enters whole
        where.append("not exists (select 1 from {{ ref('contamination') }} as x where x.doc_id = src.doc_id)")
    if spec.exclusions.heldout:
        where.append("not exists (select 1 from {{ ref('heldout_documents') }} as h "
                     "where h.doc_id = src.doc_id)")
    body = f"select {columns}\nfrom (\n{component.sql}\n) as src"
    return body + ("\nwhere " + "\n  and ".join(where) if where else "")


_EXCLUSION_WHY = {
    "contamination": "contaminated documents are excluded by default; set exclusions: {contaminated: false} "
                     "to go without",
    "heldout_documents": "held-out documents are always excluded",
}


def pinned_versions(spec: MixtureSpec, engine, source: str) -> dict[str, int]:
    """The current version of every asset the spec reads; a missing one is an error naming why it is read."""
    versions = engine.current_versions(spec.refs())
    for name in spec.refs():
        if name not in versions:
            why = _EXCLUSION_WHY[name] if name in spec.exclusions.sources() else "a component reads it"
            raise MixtureSpecError(source, None, "(sql)", f"{{{{ ref('{name}') }}}} has no Lance dataset yet "
                                   f"(materialize {name} first; {why})")
    return versions


def build_mixture(spec: MixtureSpec, engine, workdir: Path, source: str = "",
                  versions: Mapping[str, int] | None = None) -> BuiltMixture:
    """Stages, plans and returns the mixture's rows as a stream; `source` names the spec in errors."""
    source = source or spec.name
    versions = dict(versions) if versions is not None else pinned_versions(spec, engine, source)
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        staged = [_stage(spec, c, i, engine, versions, workdir, source)
                  for i, c in enumerate(spec.components)]
        pools = [
            sampling.Source(c.name, tokens, priority, c.target_ratio, c.max_repetition_ratio,
                            c.max_source_fraction)
            for c, (_, tokens, priority) in zip(spec.components, staged, strict=True)
        ]
        try:
            plan = sampling.plan_mixture(pools, spec.requested_tokens, spec.seed)
        except sampling.InsufficientTokensError as e:
            raise sampling.InsufficientTokensError(f"{source}: {e}") from e
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    datasets = [ds for ds, _, _ in staged]
    rows = _rows(spec, plan, datasets, workdir)
    if MEDIA_ASSET in versions:  # the media loader reads the sampled files' bytes at this version
        rows = _with_constant(rows, MEDIA_VERSION_COLUMN, versions[MEDIA_ASSET])
    return BuiltMixture(rows, plan, versions)


def _with_constant(reader: pa.RecordBatchReader, name: str, value: int) -> pa.RecordBatchReader:
    schema = reader.schema.append(pa.field(name, pa.int64()))
    return pa.RecordBatchReader.from_batches(schema, (
        pa.RecordBatch.from_arrays([*b.columns, pa.array(np.full(b.num_rows, value, np.int64))],
                                   schema=schema) for b in reader))


def _stage(spec: MixtureSpec, component: Component, index: int, engine, versions, workdir: Path, source: str):
    def problem(message: str) -> MixtureSpecError:
        return MixtureSpecError.at(source, ("components", index, "sql"), message)

    try:
        reader = engine.query(component_sql(spec, component), versions=versions)
    except Exception as e:  # the engine's own message (binder error, unknown column) plus where it came from
        raise problem(str(e)) from e
    uri = str(workdir / f"component_{index}.lance")
    ds = lance.write_dataset(reader, uri, schema=reader.schema, mode="create")
    tokens, priority = pool_keys(ds, component.name, problem)
    return ds, tokens, priority


def pool_keys(ds, name: str, problem: Callable[[str], Exception]) -> tuple[np.ndarray, np.ndarray]:
    """The staged pool's token counts (int64) and `doc_priority` (uint64), in row order: what the plan holds,
    16 bytes a document. The doc ids are scanned a batch at a time and never held; a repeated one is found
    among the rows whose priorities collide (a 64-bit hash of the id), then confirmed by its id."""
    tokens, priority = [], []
    for batch in ds.scanner(columns=["doc_id", "token_count"], batch_size=KEY_ROWS, **STREAMING).to_batches():
        if batch.column("token_count").null_count or batch.column("doc_id").null_count:
            raise problem("doc_id and token_count must not be null")
        tokens.append(batch.column("token_count").to_numpy(zero_copy_only=False).astype(np.int64))
        priority.append(sampling.doc_priority(batch.column("doc_id"), name))
    tokens = np.concatenate(tokens) if tokens else np.empty(0, np.int64)
    priority = np.concatenate(priority) if priority else np.empty(0, np.uint64)
    order = np.argsort(priority, kind="stable")
    same = np.flatnonzero(priority[order][1:] == priority[order][:-1])
    if same.size:
        rows = np.unique(np.r_[order[same], order[same + 1]])
        counts = pc.value_counts(ds.take(rows.tolist(), columns=["doc_id"]).column("doc_id"))
        repeated = counts.filter(pc.greater(counts.field("counts"), 1))
        if len(repeated):
            raise problem(f"doc_id {repeated[0]['values'].as_py()!r} appears more than once; select each "
                          "document once")
    return tokens, priority


def _rows(spec: MixtureSpec, plan: sampling.Plan, datasets: list, workdir: Path) -> pa.RecordBatchReader:
    names = [c.name for c in spec.components]
    columns = [*REQUIRED_COLUMNS, *spec.output_columns]
    schema = _output_schema(datasets[0].schema, spec.output_columns)

    def batches() -> Iterator[pa.RecordBatch]:
        try:
            for start in range(0, len(plan.row), CHUNK_ROWS):
                stop = min(start + CHUNK_ROWS, len(plan.row))
                yield _chunk(plan, start, stop, datasets, names, columns, spec.name, schema)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)

    return _prefetched(schema, batches())


_DONE = object()


def _prefetched(schema: pa.Schema, batches: Iterator[pa.RecordBatch]) -> pa.RecordBatchReader:
    """`batches` run on one background thread, up to PREFETCH_CHUNKS ahead of whoever reads the stream.

    One producing thread is for memory as much as for overlap: a Lance writer pulls a Python stream from
    several of its worker threads, and Arrow buffers allocated on many threads (each with its own
    allocator heap) and freed on others come back late: writing the 1M-sample bench mixture grew RSS by
    0.85 GB that way, by 0.13 GB with this thread. Dropping the stream early stops the thread and runs
    `batches`' cleanup.
    """
    out: queue.Queue = queue.Queue(PREFETCH_CHUNKS)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                out.put(item, timeout=0.1)
                return True
            except queue.Full:
                pass
        return False

    def produce() -> None:
        try:
            for batch in batches:
                if not put(batch):
                    return
            put(_DONE)
        except BaseException as e:  # surfaces in the reader's thread
            put(e)
        finally:
            batches.close()

    def consume() -> Iterator[pa.RecordBatch]:
        thread = threading.Thread(target=produce, name="mixture-rows", daemon=True)
        thread.start()
        try:
            while (item := out.get()) is not _DONE:
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            stop.set()
            thread.join()

    return pa.RecordBatchReader.from_batches(schema, consume())


def _chunk(plan, start, stop, datasets, names, columns, mixture: str, schema: pa.Schema) -> pa.RecordBatch:
    comp, rows, epoch = plan.component[start:stop], plan.row[start:stop], plan.epoch[start:stop]
    by_comp = np.argsort(comp, kind="stable")
    pieces = []
    for c in np.unique(comp):
        wanted = rows[by_comp][comp[by_comp] == c]
        pieces.append(datasets[c].take(wanted, columns=columns))
    grouped = pa.concat_tables(pieces, promote_options="permissive")
    restore = np.empty_like(by_comp)
    restore[by_comp] = np.arange(len(by_comp))
    data = grouped.take(restore)
    n = stop - start
    arrays = {
        "mixture": pa.array([mixture] * n, pa.string()),
        "sample_index": pa.array(np.arange(start, stop, dtype=np.int64)),
        "doc_id": data.column("doc_id"),
        "component": pa.array(np.array(names, dtype=object)[comp], pa.string()),
        "epoch": pa.array(epoch, pa.int32()),
        "text": data.column("text"),
        "token_count": data.column("token_count"),
    }
    arrays.update({c: data.column(c) for c in columns[len(REQUIRED_COLUMNS):]})
    return pa.Table.from_pydict(arrays).cast(schema).combine_chunks().to_batches()[0]


def _output_schema(staged: pa.Schema, extra: list[str]) -> pa.Schema:
    fields = [pa.field("mixture", pa.string()), pa.field("sample_index", pa.int64()),
              pa.field("doc_id", pa.string()), pa.field("component", pa.string()),
              pa.field("epoch", pa.int32()), pa.field("text", pa.large_string()),
              pa.field("token_count", pa.int64())]
    return pa.schema(fields + [staged.field(c) for c in extra])
