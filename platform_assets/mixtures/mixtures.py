"""The `mixtures` asset: one static partition per spec in `dbt_like_sql/mixtures/*.yaml`."""

import hashlib
import json
from dataclasses import asdict
from pathlib import Path

import dagster as dg

from platform_assets import settings, spec_versions
from platform_assets import spec_isolation as isolation
from platform_assets.mixtures import spec as specs
from platform_assets.mixtures.build import build_mixture, pinned_versions
from platform_assets.mixtures.sampling import Plan
from resources import sql_refs
from resources.sql_engine import SqlEngine, input_metadata

# The components table in the UI, key columns first: what was asked, what was achieved, then the pools.
COMPONENT_COLUMNS = {
    "name": "string", "target_ratio": "float", "achieved_ratio": "float", "target_tokens": "int",
    "achieved_tokens": "int", "documents": "int", "samples": "int", "epochs": "int",
    "repetition_factor": "float", "available_tokens": "int", "pool_tokens": "int"}
# Bump when sampling or the output layout changes meaning: every mixture then shows stale. The code version
# is this alone: each spec file reaches its own partition through `mixture_specs` (spec_versions).
SAMPLER_VERSION = "1"
SPECS = "mixture_specs"


class UnscannedDaysError(RuntimeError):
    """clean_documents days the mixture reads were never scanned for contamination."""


def _declared_deps(files: dict[str, Path]) -> list[dg.AssetDep]:
    """Graph edges: the refs found in every spec file (raw text, so a broken spec still loads the graph).

    A mixture reads every partition of its inputs (all days), hence AllPartitionMapping.
    """
    found = {r for path in files.values() for r in sql_refs.refs(path.read_text())}
    names = sorted(found | {"contamination", "heldout_documents"})
    return [spec_versions.dep(SPECS),
            *(dg.AssetDep(name, partition_mapping=dg.AllPartitionMapping()) for name in names)]


def build_mixtures_asset(folder: Path | None = None) -> dg.AssetsDefinition:
    """The `mixtures` asset over the specs in `folder` (default `dbt_like_sql/mixtures/`)."""
    family = isolation.SpecFamily(folder or specs.SPEC_FOLDER, specs.load_spec)
    files = family.files

    @dg.asset(
        name="mixtures",
        partitions_def=family.partitions_def(),
        metadata={"partition_expr": "mixture", **family.metadata()},
        io_manager_key="lance_io_manager",
        kinds={"sql"},
        code_version=f"sampler{SAMPLER_VERSION}",
        deps=_declared_deps(files),
    )
    def mixtures(context: dg.AssetExecutionContext, sql_engine: SqlEngine) -> dg.MaterializeResult:
        """One training sample of a mixture, in its shuffled order (`sample_index`); partition = spec name.

        Columns: mixture, sample_index, doc_id, component, epoch (0 = first use of the document), text,
        token_count, plus the spec's `output_columns`. Inputs are read through `sql_engine` at pinned Lance
        versions, tagged `mixture-<name>-<run>` so cleanup keeps them. Fails when a clean_documents day has
        no materialized `contamination` partition (unless the spec opts out of that exclusion).

        Staleness: each partition reads its own spec file through `mixture_specs` (one partition per file,
        versioned by the file's hash, spec_versions), so editing one spec marks only its mixture stale. Each
        partition records its spec's hash as `mixture/spec_hash`, and its data version hashes that spec hash
        with the input versions, so rematerializing an unchanged spec over unchanged inputs gives the same
        data version.
        """
        name = context.partition_key
        return materialize(context, family.spec(name), files[name], sql_engine)

    return mixtures


def materialize(context: dg.AssetExecutionContext, spec: specs.MixtureSpec, path: Path,
                engine) -> dg.MaterializeResult:
    name = spec.name
    isolation.check_refs(context, path, specs.sql_blocks(spec, path), specs.MixtureSpecError,
                         engine)
    spec_hash = specs.spec_hash(path)
    spec_versions.pin_file(context, SPECS, path)
    run = context.run_id[:8]
    versions = pinned_versions(spec, engine, str(path))
    scanned = context.instance.get_materialized_partitions(dg.AssetKey("contamination"))
    missing = unscanned_days(spec, engine, versions, scanned)
    if missing:
        shown = ", ".join(missing[:10]) + (f" ... ({len(missing)} days)" if len(missing) > 10 else "")
        raise UnscannedDaysError(
            f"{path}: clean_documents days {shown} have no materialized contamination partition, so "
            "their contaminated documents cannot be excluded (contamination writes rows only for hits: an "
            "unscanned day looks clean). Materialize contamination for those days first.")
    built = build_mixture(spec, engine, settings.maslow_home() / "tmp" / f"mixture-{name}-{run}", str(path),
                          versions)
    pinned = engine.pin_versions(built.input_versions, f"mixture-{name}-{run}")
    for line in composition_lines(name, built.plan):
        context.log.info(line)
    versions = json.dumps(built.input_versions, sort_keys=True)
    return dg.MaterializeResult(
        value=built.reader,
        metadata=_metadata(spec, spec_hash, built.plan, built.input_versions, pinned),
        data_version=dg.DataVersion(hashlib.sha256(f"{spec_hash}\0{versions}".encode()).hexdigest()[:24]),
    )


mixtures = build_mixtures_asset()
mixture_specs = spec_versions.family_asset(SPECS, mixtures.partitions_def)


def unscanned_days(spec: specs.MixtureSpec, engine, versions: dict[str, int], scanned: set[str]) -> list[str]:
    """The days of clean_documents (at its pinned version) that are not in `scanned`, the materialized
    `contamination` partitions; none when the spec does not read clean_documents or opts out."""
    if not spec.exclusions.contaminated or "clean_documents" not in versions:
        return []
    sql = "select distinct day from {{ ref('clean_documents') }} where day is not null"
    days = engine.query(sql, versions=versions).read_all().column("day").to_pylist()
    return sorted(set(days) - set(scanned))


def _metadata(spec, spec_hash: str, plan: Plan, versions: dict, pinned: dict) -> dict:
    ratios = plan.achieved_ratios()
    full = [{**asdict(s), "achieved_ratio": round(ratios[s.name], 6)} for s in plan.stats]
    rows = [dg.TableRecord({c: f[c] for c in COMPONENT_COLUMNS}) for f in full]
    meta: dict = {
        "mixture/spec_hash": spec_hash,
        "mixture/seed": spec.seed,
        "mixture/requested_tokens": spec.requested_tokens,
        "mixture/achieved_tokens": sum(s.achieved_tokens for s in plan.stats),
        "mixture/samples": len(plan.row),
        "mixture/documents": sum(s.documents for s in plan.stats),
        "mixture/components": dg.MetadataValue.table(rows, schema=dg.TableSchema(
            [dg.TableColumn(name, kind) for name, kind in COMPONENT_COLUMNS.items()])),
        # `maslow demo` prints every `summary/*` entry: the achieved composition, one line per component
        "summary/composition": dg.MetadataValue.text("\n".join(composition_lines(spec.name, plan))),
    }
    meta.update(input_metadata(versions, pinned))  # per-component figures live in the components table only
    return meta


def composition_lines(name: str, plan: Plan) -> list[str]:
    """Human-readable achieved composition, one line per component (logged; `maslow demo` prints it)."""
    ratios = plan.achieved_ratios()
    records = [{**asdict(s), "achieved_ratio": ratios[s.name]} for s in plan.stats]
    return _format(name, len(plan.row), sum(s.achieved_tokens for s in plan.stats), records)


def _format(name: str, samples: int, tokens: int, records: list[dict]) -> list[str]:
    lines = [f"mixture {name}: {samples:,} samples, {tokens:,} tokens"]
    for r in records:
        lines.append(f"  {r['name']:<16} target {r['target_ratio']:6.2%} achieved {r['achieved_ratio']:6.2%} "
                     f"({r['achieved_tokens']:,}/{r['target_tokens']:,} tokens, {r['documents']:,} docs, "
                     f"x{r['repetition_factor']:.2f} of pool)")
    return lines
