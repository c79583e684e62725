"""`labeling_queue`: each labeling queue's tasks (one static partition per `dbt_like_sql/labeling/*.yaml`)."""

import hashlib
from collections import Counter

import dagster as dg
import pyarrow as pa

from platform_assets import spec_isolation as isolation
from platform_assets import spec_versions
from platform_assets.labeling import spec as specs
from platform_assets.partitions import QUEUE_METADATA, queue_partitions, queues
from platform_assets.policies import BUILD_ONCE
from platform_assets.processors.labeling import sampling, tasks
from resources import sql_engine as engines
from resources.sql_refs import refs

# The code version is the sampler's alone: each spec file reaches its own queue through `labeling_specs`
# (spec_versions), so editing one queue's spec marks only that queue stale.
SAMPLER_VERSION = "1"
SPECS = "labeling_specs"
labeling_specs = spec_versions.family_asset(SPECS, queue_partitions)


def _deps() -> list[dg.AssetDep]:
    found = {r for p in specs.spec_files().values() for r in refs(p.read_text())}
    return [spec_versions.dep(SPECS),
            *(dg.AssetDep(name, partition_mapping=dg.AllPartitionMapping()) for name in sorted(found))]


def plan_of(spec: specs.QueueSpec) -> sampling.Plan:
    s, d = spec.sampling, spec.sampling.disagreement
    return sampling.Plan(
        size=s.size,
        seed=s.seed,
        random=s.random,
        uncertainty=s.uncertainty,
        disagreement=d.fraction if d else 0.0,
        disagreement_columns=(d.a, d.b) if d else None,
        strata=tuple(s.strata),
        overlap_fraction=spec.overlap.fraction,
        overlap_annotators=spec.overlap.annotators,
    )


def build_queue(name: str, engine: engines.SqlEngine,
                family: isolation.SpecFamily = queues) -> tuple[pa.Table, dict[str, int], specs.QueueSpec]:
    """The queue's tasks, the input versions they were sampled from, and the spec."""
    spec, path = family.spec(name), family.files[name]  # a broken spec fails here with its message
    versions = engine.current_versions(spec.refs())
    missing = [r for r in spec.refs() if r not in versions]
    if missing:
        raise specs.QueueSpecError.at(
            path, ("sql",), f"{missing} have no Lance dataset yet; materialize them"
        )
    try:
        candidates = engine.query(spec.sql, versions=versions).read_all()
    except Exception as e:  # the engine's message (unknown column, binder error) plus where it came from
        raise specs.QueueSpecError.at(path, ("sql",), str(e)) from e
    if "item_id" not in candidates.column_names:
        raise specs.QueueSpecError.at(path, ("sql",), "the query must return an item_id column")
    sug = spec.suggestion
    table = tasks.build_tasks(
        candidates,
        name,
        plan_of(spec),
        specs.spec_hash(path),
        sug.above if sug else None,
        sug.below if sug else None,
    )
    return table, versions, spec


def build_labeling_queue(family: isolation.SpecFamily = queues) -> dg.AssetsDefinition:
    """The `labeling_queue` asset over the queue specs of `family` (default `dbt_like_sql/labeling/`)."""

    @dg.asset(
        key="labeling_queue",
        partitions_def=queue_partitions if family is queues else family.partitions_def(),
        metadata=QUEUE_METADATA,
        io_manager_key="lance_io_manager",
        kinds={"lance", "sql"},
        code_version=f"queue{SAMPLER_VERSION}",
        deps=_deps(),
        # A queue people are answering stays put: sampled once automatically, resampled only on purpose.
        automation_condition=BUILD_ONCE,
    )
    def labeling_queue(
        context: dg.AssetExecutionContext, sql_engine: engines.SqlEngine
    ) -> dg.MaterializeResult[pa.Table]:
        """One labeling task per row: the item (item_id, text; text_a/text_b for pairwise), the model
        suggestion the annotators will see (label, score, threshold, `model_version` = the model's content
        hash), its sampling slice (random / uncertainty / disagreement / stratified), stratum and overlap
        group (tasks in a group get `required_annotations` >= 2 blind answers). Partition = queue spec name;
        inputs are read by `sql_engine` at pinned Lance versions (tagged `queue-<name>-<run>`)."""
        return materialize(context, sql_engine, family)

    return labeling_queue


labeling_queue = build_labeling_queue()


def materialize(context: dg.AssetExecutionContext, sql_engine: engines.SqlEngine,
                family: isolation.SpecFamily) -> dg.MaterializeResult:
    name = context.partition_key
    if name in family.files:
        spec_versions.pin_file(context, SPECS, family.files[name])
    table, versions, spec = build_queue(name, sql_engine, family)
    pinned = sql_engine.pin_versions(versions, f"queue-{name}-{context.run_id[:8]}")
    slices = Counter(table.column("slice").to_pylist())
    overlap = sum(1 for g in table.column("overlap_group").to_pylist() if g is not None)
    meta = {
        "queue/tasks": table.num_rows,
        "queue/overlap_tasks": overlap,
        "queue/strata": len(set(table.column("stratum").to_pylist())),
        "queue/question": spec.question.kind,
        **{f"queue/slice/{s}": slices.get(s, 0) for s in sampling.SLICES},
        **engines.input_metadata(versions, pinned),
    }
    versions_text = ",".join(f"{k}={v}" for k, v in sorted(versions.items()))
    digest = hashlib.sha256(
        f"{table.column('spec_hash')[0] if table.num_rows else ''}\0{versions_text}".encode()
    ).hexdigest()[:24]
    return dg.MaterializeResult(value=table, metadata=meta, data_version=dg.DataVersion(digest))
