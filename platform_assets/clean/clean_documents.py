"""The clean stage: `clean_documents`, `rejected_documents` and `near_dup_index` for one raw day."""

import hashlib
from collections.abc import Iterator

import dagster as dg
import pyarrow as pa
import pydantic

from platform_assets import allocator, settings
from platform_assets import spec_isolation as isolation
from platform_assets.metadata_tables import fold
from platform_assets.partitions import DAILY_METADATA, daily_partitions
from platform_assets.processors.clean_config import FILTERS_FILE
from platform_assets.processors.dedup.budget import DEFAULT_BUDGET_MB, MemoryBudget
from platform_assets.processors.dedup.cluster_stage import ClusterStage, buckets_for
from platform_assets.processors.dedup.cluster_tasks import Target
from platform_assets.processors.dedup.index_lookup import IndexLookup
from platform_assets.processors.dedup.presets import DEFAULT_PRESET, PRESETS, get_preset
from platform_assets.processors.dedup.schemas import OUTPUT_SCHEMAS
from platform_assets.processors.dedup.stage import CleanStage, StageOptions, known_scope
from platform_assets.processors.pipeline import load_clean_config
from resources import lance_filters, lance_scans, lance_scratch, lance_writes
from resources.executor import LocalExecutor
from resources.lance_gc import run_alive
from resources.lance_stage import StageLog

# Annotations stay eager (no `from __future__ import annotations`): Dagster resolves the Config type.
DEDUP_VERSION = "dedup-v2"  # bump when dedup decisions change for the same data and settings
INDEX_KEY, CLEAN_KEY = dg.AssetKey("near_dup_index"), dg.AssetKey("clean_documents")
OUTPUTS = ("clean_documents", "rejected_documents", "near_dup_index")
DROPPED = "dropped_by_reason"  # the funnel's drops, one row per filter or dedup reason


def _config() -> isolation.Guarded:
    """filters.yaml; a broken file is reported (`spec_errors`) and fails the stage's runs, not the import."""
    return isolation.guard(settings.spec_dir() / FILTERS_FILE, load_clean_config)


def code_version(preset: str = DEFAULT_PRESET) -> str:
    """Changes with any filter threshold (the clean config's fingerprint) or the dedup preset, so the UI
    shows the clean outputs and everything downstream stale after such a change."""
    config = _config()
    fingerprint = config.value.fingerprint() if config.ok else "invalid-" + _file_hash(config.path)
    return f"clean:{fingerprint}|{DEDUP_VERSION}|{preset}"


def _file_hash(path) -> str:
    return hashlib.sha256(path.read_bytes() if path.exists() else b"").hexdigest()[:16]


def _from_raw(*columns: str) -> list[dg.TableColumnDep]:
    return [dg.TableColumnDep(asset_key=dg.AssetKey("raw_documents"), column_name=c) for c in columns]


# Which raw columns each clean column is computed from (shown in the UI's column lineage).
COLUMN_LINEAGE = dg.TableColumnLineage(deps_by_column={
    **{c: _from_raw(c) for c in ("doc_id", "source", "source_id", "day", "url")},
    "text": _from_raw("text"),
    "domain": _from_raw("domain", "source", "text"),
    **{c: _from_raw("text") for c in ("language", "language_score", "token_count", "pii_emails",
                                      "pii_phones", "pii_ips", "dup_cluster_id", "dup_cluster_size")},
})


class CleanDocumentsConfig(dg.Config):
    preset: str = pydantic.Field(DEFAULT_PRESET, description=f"MinHash preset: {', '.join(PRESETS)}")
    scope: str = pydantic.Field("partition", description="partition (FineWeb's choice) or incremental "
                                "(also against near_dup_index of every earlier day)")
    batch_rows: int = pydantic.Field(256, gt=0, description="raw rows per executor task (memory per worker)")
    memory_mb: int = pydantic.Field(DEFAULT_BUDGET_MB, gt=0, description="peak RSS of the stage process plus "
                                    "its local workers: caps the workers, sets when dedup keys spill to disk")

    @pydantic.field_validator("preset")
    @classmethod
    def _known_preset(cls, value: str) -> str:
        if value not in PRESETS:
            raise ValueError(f"preset {value!r}: choose one of {sorted(PRESETS)}")
        return value

    _known_scope = pydantic.field_validator("scope")(known_scope)


_CODE_VERSION = code_version()
_STORED = {"io_manager_key": "lance_io_manager", "kinds": {"python"}, "code_version": _CODE_VERSION,
           "metadata": {**DAILY_METADATA, **isolation.spec_errors_metadata([_config()])}}


@dg.multi_asset(
    name="clean_stage",
    group_name="clean",
    partitions_def=daily_partitions,
    ins={"raw_documents": dg.AssetIn()},
    outs={
        "clean_documents": dg.AssetOut(
            description="One kept document: normalized and PII-redacted text, language and score, "
            "token_count, PII counts, and its near-duplicate cluster (dup_cluster_id = doc_id of the kept "
            "document, dup_cluster_size = documents of the day in the cluster).", **_STORED),
        "rejected_documents": dg.AssetOut(
            description="One dropped document: stage, filter, reason code, score, language, the text, and "
            "for dedup drops the kept doc_id it duplicates (duplicate_of).", **_STORED),
        "near_dup_index": dg.AssetOut(
            description="One clean document's LSH band keys (doc_id, day, preset, bands): later days "
            "deduplicate against it in the incremental scope.", **_STORED),
    },
    required_resource_keys={"executor", "lance_io_manager"},
)
def clean_stage(
    context: dg.AssetExecutionContext, config: CleanDocumentsConfig, raw_documents: pa.RecordBatchReader
) -> Iterator[dg.Output]:
    """Normalize, filter, redact and deduplicate one day of raw_documents, streaming (see stage.py).

    Each output is yielded as a RecordBatchReader over the scratch spool; the IO manager drains it into
    Lance before the generator resumes, and the scratch data is deleted at the end (or on failure).
    """
    day = context.partition_key
    lance_io = context.resources.lance_io_manager
    swept = lance_scratch.sweep(lance_io.root_uri, lambda run_id: run_alive(context.instance, run_id),
                                lance_io.storage_options)
    if swept:
        context.log.info(f"removed the scratch spools of {len(swept)} dead run(s): {', '.join(swept)}")
    log = StageLog(lance_io.root_uri, "clean_stage", list(OUTPUTS), lance_io.storage_options)
    running = context.run.run_id

    def other_alive(run_id: str) -> bool | None:
        return run_id != running and run_alive(context.instance, run_id)

    for settled in log.settle(other_alive):
        context.log.warning(f"a clean stage run died between its commits; settled {settled}")
    log.publish()  # a set committed but not yet published (a full disk at its end) is published now
    scratch = lance_scratch.scratch_uri(lance_io.root_uri, running, day)
    budget = MemoryBudget(total_mb=config.memory_mb)
    allocator.install_streaming()  # this process streams the day: freed Lance/Arrow buffers leave RSS
    options = StageOptions(day=day, preset=config.preset, scope=config.scope, batch_rows=config.batch_rows,
                           spill_bytes=budget.spill_bytes())
    stage = _stage(within(context.resources.executor, budget), lance_io, scratch, options)
    begun = False
    try:
        index_meta, prior = {}, None
        if config.scope == "incremental":
            index_meta, prior = _earlier_index(lance_io, day, config.preset, options.spill_bytes)
        stage.run(raw_documents, prior, _held_elsewhere(lance_io, day))
        summary = {**stage.summary(), **index_meta}
        context.log.info(f"clean {day}: {summary}")
        summary = funnel_tables(summary)
        readers = (stage.readers() if isinstance(stage, CleanStage)
                   else {name: lance_writes.Fragments(stage.fragments[name]) for name in OUTPUTS})
        log.begin(day, running)  # from here on, readers see the previous set until all three are committed
        begun = True
        yield dg.Output(readers["clean_documents"], output_name="clean_documents",
                        metadata={**summary, "dagster/column_lineage": COLUMN_LINEAGE})
        yield dg.Output(readers["rejected_documents"], output_name="rejected_documents",
                        metadata={k: summary[k] for k in (DROPPED, "raw_rows", "rejected_rows")
                                  if k in summary})
        yield dg.Output(readers["near_dup_index"], output_name="near_dup_index",
                        metadata={"dedup/preset": config.preset, "dedup/scope": config.scope, **index_meta})
    except BaseException:
        if begun:
            _undo(context, log, day)
        raise
    finally:
        stage.close()
    _publish(context, log, day, other_alive)


def _undo(context: dg.AssetExecutionContext, log: StageLog, day: str) -> None:
    """Puts back what this failed run committed; if that fails too, the next clean stage does it."""
    try:
        context.log.warning(f"clean {day}: failed between commits; {log.undo(day, context.run.run_id)}")
    except OSError as e:
        context.log.warning(f"clean {day}: could not settle its partial commits ({e}); the next clean stage "
                            "or `maslow gc` does")


def _publish(context: dg.AssetExecutionContext, log: StageLog, day: str, other_alive) -> None:
    """All three are committed: ends the run and publishes the set. Lance committed them, so a failure here
    (a full disk) is a warning, never a failed output: the next clean stage or `maslow gc` publishes them."""
    try:
        published = log.finish(day, context.run.run_id, other_alive)
    except OSError as e:
        context.log.warning(f"clean {day}: committed, but not yet visible to readers ({e}); the next clean "
                            "stage or `maslow gc` publishes it")
        return
    if published is None:
        context.log.warning(f"clean {day}: committed; another clean stage is still committing, so it will "
                            "publish both")
    else:
        context.log.info(f"clean {day}: published {published}")


def funnel_tables(summary: dict) -> dict:
    """The stage's `dropped/<reason>` and `clean_rows/<domain>` counts as two UI tables."""
    return fold(fold(summary, "dropped", DROPPED, "reason"), "clean_rows", "clean_rows_by_domain", "domain")


def _stage(executor, lance_io, scratch: str, options: StageOptions) -> CleanStage | ClusterStage:
    """On a distributed executor (Ray), the task-graph stage: its workers write the outputs' fragments into
    the datasets (created and given new columns first, as the IO manager would) and the IO manager commits
    them; otherwise the one-process stage, whose outputs stream through the IO manager."""
    if not executor.distributed:
        return CleanStage(executor, _config().get(), options, scratch, lance_io.storage_options)
    targets = {}
    for name in OUTPUTS:
        uri = lance_io.uri_for(dg.AssetKey(name))
        schema = lance_writes.prepare(uri, OUTPUT_SCHEMAS[name], lance_io.storage_options)
        targets[name] = Target(uri, schema, lance_writes.fragment_options())
    raw = lance_io.open(dg.AssetKey("raw_documents"))
    rows = raw.count_rows(lance_filters.compare("day", "=", options.day)) if raw is not None else 0
    return ClusterStage(executor, _config().get(), options, scratch, targets, lance_io.storage_options,
                        parts=buckets_for(rows, executor.parallelism()))


def within(executor, budget: MemoryBudget):
    """The executor with no more local workers than fit `budget` (a Ray cluster's workers are not local)."""
    if not isinstance(executor, LocalExecutor):
        return executor
    workers = budget.workers(executor.worker_count())
    return LocalExecutor(workers=workers, max_in_flight=executor.max_in_flight)


def _held_elsewhere(lance_io, day: str) -> Iterator[pa.RecordBatch]:
    """The doc_ids clean_documents holds on every other day, streamed (a re-delivery is dropped)."""
    ds = lance_io.open(CLEAN_KEY)
    if ds is None:
        return iter(())
    return iter(ds.scanner(columns=["doc_id"], filter=lance_filters.compare("day", "!=", day),
                           **lance_scans.STREAMING).to_reader())


def _earlier_index(lance_io, day: str, preset: str, spill_bytes: int) -> tuple[dict, IndexLookup | None]:
    """The index version checked, and the earlier days' band keys (same preset), looked up through the
    sorted runs cached under `settings.near_dup_runs_dir()` (index_lookup.py; the cluster stage's
    band-reduce tasks search them too, cluster_prior.py)."""
    ds = lance_io.open(INDEX_KEY)
    if ds is None:
        return {"near_dup_index/version_checked": "none"}, None
    meta = {"near_dup_index/version_checked": ds.version}
    same = lance_filters.compare("preset", "=", preset)
    return meta, IndexLookup.of(settings.near_dup_runs_dir(), lance_io.uri_for(INDEX_KEY), ds,
                                get_preset(preset), same, day, spill_bytes)
