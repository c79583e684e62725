"""`preference_pairs` + `rejected_pairs`: one static partition per `dbt_like_sql/synthetics/*.yaml` spec."""


import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import dagster as dg

from platform_assets import settings, spec_versions
from platform_assets import spec_isolation as isolation
from platform_assets.eval_sets.contamination import canaries_of
from platform_assets.eval_sets.eval_ngram_index import index_from_table
from platform_assets.metadata_tables import counts
from platform_assets.processors import decontam
from platform_assets.processors.dedup.index_lookup import IndexLookup
from platform_assets.processors.dedup.presets import get_preset
from platform_assets.processors.synthetics import registry
from platform_assets.synthetics import spec as specs
from platform_assets.synthetics.build import Built, GateInputs, build_pairs
from resources import lance_filters, sql_refs
from resources.sql_engine import input_metadata

# Bump when pairing, gating or the output layout changes meaning: every spec's partition then shows stale.
BUILDER_VERSION = "1"
GATE_ASSETS = ("near_dup_index", "eval_ngram_index", "eval_items")
SPECS = "synthetics_specs"
_STORED = {"io_manager_key": "lance_io_manager", "metadata": {"partition_expr": "synthetic"},
           "kinds": {"python"}}


def _code_version() -> str:
    """The builder and the registered steps; each spec file reaches its own partition through
    `synthetics_specs` (spec_versions), so editing one spec marks only its partition stale."""
    steps = hashlib.sha256(",".join(registry.names()).encode()).hexdigest()[:8]
    return f"synth{BUILDER_VERSION}-{steps}"


def _deps(files: dict[str, Path]) -> list[dg.AssetDep]:
    """Every ref of every spec (raw text, so a broken spec still loads the graph) and the gates' inputs."""
    found = {r for path in files.values() for r in sql_refs.refs(path.read_text())} | set(GATE_ASSETS)
    return [spec_versions.dep(SPECS),
            *(dg.AssetDep(n, partition_mapping=dg.AllPartitionMapping()) for n in sorted(found))]


def build_synthetics_asset(folder: Path | None = None) -> dg.AssetsDefinition:
    """The synthetics multi-asset over the specs in `folder` (default `dbt_like_sql/synthetics/`); a broken
    spec keeps its partition, which fails with the validation message (`spec_errors` lists it)."""
    family = isolation.SpecFamily(folder or specs.SPEC_FOLDER, specs.load_spec)
    files = family.files
    version = _code_version()
    listed = {**_STORED, "metadata": {**_STORED["metadata"], **family.metadata()}}  # spec_errors, if any

    @dg.multi_asset(
        name="synthetics",
        partitions_def=family.partitions_def(),
        outs={
            "preference_pairs": dg.AssetOut(
                description="One verified preference pair: prompt, chosen, rejected (text and chat "
                "messages), margin, and its provenance (generator, model, template hash, sampling used, "
                "seed, sample indices, judge and verdicts, seed doc_id and Lance version).",
                code_version=version, **listed),
            "rejected_pairs": dg.AssetOut(
                description="One candidate that made no pair, with the stage (seed, judge, gate), reason and "
                "detail (the pair kept, the corpus document or the eval item matched).",
                code_version=version, **_STORED),
        },
        deps=_deps(files),
        check_specs=[
            dg.AssetCheckSpec("judge_bias", asset="preference_pairs",
                              description="flip rate and longer-answer win share within the spec's limits"),
            dg.AssetCheckSpec("candidates_accounted", asset="preference_pairs",
                              description="every candidate is a pair or a rejected row"),
        ],
        required_resource_keys={"sql_engine", "llm"},
    )
    def synthetics(context: dg.AssetExecutionContext) -> Iterator:
        """Seeds (the spec's SQL at pinned versions) → generator → judge → gates; partition = spec name."""
        name = context.partition_key
        yield from materialize(context, family.spec(name), files[name])

    return synthetics


def materialize(context: dg.AssetExecutionContext, spec: specs.SynthSpec, path: Path) -> Iterator:
    name = spec.name
    spec_hash = specs.spec_hash(path)
    spec_versions.pin_file(context, SPECS, path)
    engine = context.resources.sql_engine
    versions = engine.current_versions([*spec.refs(), *GATE_ASSETS])
    missing = [r for r in spec.refs() if r not in versions]
    if missing:
        raise specs.SynthSpecError.at(path, ("sql",), f"{missing} have no Lance dataset yet (materialize)")
    pinned = engine.pin_versions(versions, f"synthetic-{name}-{context.run_id[:8]}")
    needs_client = any(registry.get(s.name).needs_client for s in (spec.generator, spec.judge))
    client = context.resources.llm.get_client() if needs_client else None
    seed_asset = spec.refs()[0]
    built = build_pairs(spec, spec_hash, engine.query(spec.sql, versions=versions),
                        (seed_asset, versions[seed_asset]), gate_inputs(spec, engine, versions), client,
                        str(path))
    usage = client.usage.as_metadata() if client is not None else {}
    meta = {**_summary_metadata(name, built), **usage, **input_metadata(versions, pinned),
            "synthetic/spec_hash": spec_hash}
    data_version = dg.DataVersion(hashlib.sha256(
        f"{spec_hash}\0{json.dumps(versions, sort_keys=True)}".encode()).hexdigest()[:24])
    yield dg.Output(built.pairs, output_name="preference_pairs", metadata=meta, data_version=data_version)
    yield dg.Output(built.rejected, output_name="rejected_pairs", data_version=data_version,
                    metadata={"dropped_by_reason": counts(built.stats["dropped_by_reason"], "reason")})
    yield judge_bias_result(built.stats, spec.judge_limits)
    yield dg.AssetCheckResult(
        check_name="candidates_accounted", asset_key="preference_pairs",
        passed=built.stats["candidates"] == built.pairs.num_rows + built.rejected.num_rows,
        metadata={"candidates": built.stats["candidates"], "pairs": built.pairs.num_rows,
                  "rejected": built.rejected.num_rows})


def gate_inputs(spec: specs.SynthSpec, engine, versions: dict[str, int]) -> GateInputs:
    """The gates' inputs at the pinned versions; a gate whose input was never materialized is skipped (and
    the summary says so through `gates/*_checked`)."""
    minhash = get_preset(spec.gates.minhash_preset)
    out = GateInputs(minhash)
    if "near_dup_index" in versions:
        ds = engine.dataset("near_dup_index", versions["near_dup_index"])
        out.corpus_index = IndexLookup.of(
            settings.near_dup_runs_dir(), engine.dataset_uri("near_dup_index"),
            ds, minhash, lance_filters.compare("preset", "=", minhash.name), day=None)
    if "eval_ngram_index" in versions and "eval_items" in versions:
        n = decontam.PRESETS[spec.gates.decontam_preset].n
        index = engine.dataset("eval_ngram_index", versions["eval_ngram_index"])
        table = index.to_table(filter=lance_filters.compare("n", "=", n))
        out.ngram_index = index_from_table(table, n)
        items = engine.dataset("eval_items", versions["eval_items"]).to_table(columns=["eval_set", "canary"])
        out.canaries = canaries_of(items)
    return out


def judge_bias_result(stats: dict, limits: specs.JudgeLimits) -> dg.AssetCheckResult:
    flip, longer = stats.get("judge/flip_rate"), stats.get("judge/longer_win_share")
    failed = []
    if flip is not None and flip > limits.max_flip_rate:
        failed.append(f"flip rate {flip:.3f} > {limits.max_flip_rate}")
    if longer is not None and longer > limits.max_longer_win_share:
        failed.append(f"longer answer wins {longer:.3f} > {limits.max_longer_win_share}")
    meta = {"max_flip_rate": limits.max_flip_rate, "max_longer_win_share": limits.max_longer_win_share,
            "flip_rate": flip if flip is not None else "n/a (no pairwise judge)",
            "longer_win_share": longer if longer is not None else "n/a (no pairwise judge)"}
    return dg.AssetCheckResult(check_name="judge_bias", asset_key="preference_pairs", passed=not failed,
                               severity=dg.AssetCheckSeverity.ERROR,
                               description="; ".join(failed) or "within limits", metadata=meta)


def _summary_metadata(name: str, built: Built) -> dict:
    s = built.stats
    meta = {k: v for k, v in s.items() if k != "dropped_by_reason"}
    meta["dropped_by_reason"] = counts(s["dropped_by_reason"], "reason")
    meta["summary/synthetics"] = dg.MetadataValue.text("\n".join(summary_lines(name, s)))
    return meta


def summary_lines(name: str, s: dict) -> list[str]:
    """What `maslow demo` prints: pairs made, verified, dropped by reason."""
    lines = [f"synthetics {name}: {s['candidates']:,} candidates -> {s['pairs']:,} pairs "
             f"({s['verified']:,} verified), {s['rejected']:,} dropped"]
    lines += [f"  dropped {reason:<32} {count:,}" for reason, count in s["dropped_by_reason"].items()]
    if "judge/flip_rate" in s:
        lines.append(f"  judge flip rate {s['judge/flip_rate']:.3f}, longer answer wins "
                     f"{s['judge/longer_win_share']:.3f}")
    return lines


synthetics = build_synthetics_asset()
synthetics_specs = spec_versions.family_asset(SPECS, synthetics.partitions_def)
