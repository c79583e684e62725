"""Asset checks on `mixtures`: no contaminated or held-out document, achieved ratios on target (1 point, or
one document's share where the largest document weighs more).

Both read the written Lance dataset (every mixture in it) through the `sql_engine`, so they check what
training will read, not what the sampler meant to write. Any leak is an ERROR. Ratio targets come from
the metadata of the materialization that wrote each mixture, so an edited (or broken) spec file that was
not rematerialized yet does not change the verdict.
"""


import dagster as dg

from platform_assets.eval_sets.exclusions import leaked
from platform_assets.mixtures import spec as specs
from resources.sql_engine import SqlEngine

RATIO_TOLERANCE = 0.01  # |achieved - target| <= 1 percentage point: samples are whole documents


def find_leaks(engine, spec_folder=None) -> tuple[dict[str, list[str]], set[str]]:
    """({mixture: leaked doc ids} per eval_sets' `leaked()` policy, mixtures whose spec opts out of the
    contamination exclusion)."""
    if engine.schema("mixtures") is None:
        return {}, set()
    contamination, heldout = engine.dataset("contamination"), engine.dataset("heldout_documents")
    if contamination is None and heldout is None:
        return {}, set()
    rows = engine.query("select mixture, doc_id from {{ ref('mixtures') }}").read_all()
    ids_by_mixture: dict[str, list[str]] = {}
    for mixture, doc_id in zip(rows.column("mixture").to_pylist(), rows.column("doc_id").to_pylist(),
                               strict=True):
        ids_by_mixture.setdefault(mixture, []).append(doc_id)
    found = {m: leaked(ids, contamination, heldout) for m, ids in sorted(ids_by_mixture.items())}
    leaks = {m: bad for m, bad in found.items() if bad}
    opted_out = set()
    for name, path in specs.spec_files(spec_folder).items():
        try:
            ex = specs.load_spec(path).exclusions
        except specs.MixtureSpecError:
            continue
        if not ex.contaminated:
            opted_out.add(name)
    return leaks, opted_out


def recorded_targets(instance: dg.DagsterInstance, mixtures) -> dict[str, dict[str, float]]:
    """{mixture: {component: target_ratio}} from each mixture's latest materialization, i.e. the spec that
    produced the data (the file may have been edited, or broken, since); unrecorded mixtures are left out."""
    targets = {}
    for name in mixtures:
        latest = dg.AssetRecordsFilter(asset_key=dg.AssetKey("mixtures"), asset_partitions=[name])
        records = instance.fetch_materializations(latest, limit=1).records
        table = records[0].asset_materialization.metadata.get("mixture/components") if records else None
        if table is not None:
            targets[name] = {r.data["name"]: r.data["target_ratio"] for r in table.records}
    return targets


def achieved_tokens(engine) -> tuple[dict[str, dict[str, int]], dict[str, int]]:
    """({mixture: {component: tokens}}, {mixture: tokens of its largest document}) as written."""
    if engine.schema("mixtures") is None:
        return {}, {}
    sql = ("select mixture, component, cast(sum(token_count) as bigint) as tokens, "
           "cast(max(token_count) as bigint) as largest "
           "from {{ ref('mixtures') }} group by mixture, component")
    tokens: dict[str, dict[str, int]] = {}
    largest: dict[str, int] = {}
    for r in engine.query(sql).read_all().to_pylist():
        tokens.setdefault(r["mixture"], {})[r["component"]] = r["tokens"]
        largest[r["mixture"]] = max(largest.get(r["mixture"], 0), r["largest"] or 0)
    return tokens, largest


def tolerance(tokens: dict[str, int], largest: int) -> float:
    """RATIO_TOLERANCE, or one document's share where the mixture's largest document weighs more: the
    sampler takes whole documents, so it meets ratios to within a document (docs/mixtures.md)."""
    return max(RATIO_TOLERANCE, largest / (sum(tokens.values()) or 1))


def ratio_errors(tokens: dict[str, dict[str, int]], targets: dict[str, dict[str, float]],
                 largest: dict[str, int] | None = None) -> dict[str, dict[str, dict[str, float]]]:
    """{mixture: {component: {target, achieved}}} for components off target by more than the tolerance."""
    off = {}
    for name, target in targets.items():
        total = sum(tokens.get(name, {}).values()) or 1
        allowed = tolerance(tokens.get(name, {}), (largest or {}).get(name, 0))
        for component, ratio in target.items():
            achieved = tokens.get(name, {}).get(component, 0) / total
            if abs(achieved - ratio) > allowed:
                off.setdefault(name, {})[component] = {"target": ratio, "achieved": round(achieved, 6)}
    return off


@dg.asset_check(asset="mixtures", description="No mixture holds a contaminated (drop) or held-out document.")
def mixtures_exclude_eval_documents(sql_engine: SqlEngine) -> dg.AssetCheckResult:
    """An ERROR on any leak, from a spec that opted out of the contamination exclusion too (listed)."""
    leaks, opted_out = find_leaks(sql_engine)
    return dg.AssetCheckResult(
        passed=not leaks,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"leaked_documents": dg.MetadataValue.json({m: len(ids) for m, ids in leaks.items()}),
                  "examples": dg.MetadataValue.json({m: ids[:10] for m, ids in leaks.items()}),
                  "opted_out": sorted(opted_out & set(leaks))},
        description=None if not leaks else f"{len(leaks)} mixture(s) hold excluded documents",
    )


@dg.asset_check(asset="mixtures", description="Each component's achieved token ratio is within 1 point of "
                 "target, or within one document's share where the largest document weighs more.")
def mixtures_ratios_on_target(context: dg.AssetCheckExecutionContext,
                              sql_engine: SqlEngine) -> dg.AssetCheckResult:
    """Targets come from the materialization that wrote each mixture, not from today's spec file."""
    tokens, largest = achieved_tokens(sql_engine)
    targets = recorded_targets(context.instance, sorted(tokens))
    off = ratio_errors(tokens, targets, largest)
    allowed = {name: round(tolerance(tokens[name], largest.get(name, 0)), 6) for name in sorted(tokens)}
    return dg.AssetCheckResult(passed=not off, metadata={
        "off_target": dg.MetadataValue.json(off), "tolerance": RATIO_TOLERANCE,
        "tolerance_by_mixture": dg.MetadataValue.json(allowed),
        "unrecorded": sorted(set(tokens) - set(targets))})
