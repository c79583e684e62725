"""Asset checks on `mixtures`: no contaminated or held-out document, achieved ratios within 1 point of target.

Both read the written Lance dataset (every mixture in it) through the `sql_engine`, so they check what
training will read, not what the sampler meant to write.
"""


import dagster as dg

from platform_assets.eval_sets.exclusions import leaked
from platform_assets.mixtures import spec as specs
from resources import sql_engine as engines

RATIO_TOLERANCE = 0.01  # |achieved - target| <= 1 percentage point: samples are whole documents


def find_leaks(engine, spec_folder=None) -> tuple[dict[str, list[str]], set[str]]:
    """({mixture: leaked doc ids} per eval_sets' `leaked()` policy, mixtures whose spec opts out)."""
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
        if not (ex.contaminated and ex.heldout):
            opted_out.add(name)
    return leaks, opted_out


def ratio_errors(engine, spec_folder=None) -> dict[str, dict[str, dict[str, float]]]:
    """{mixture: {component: {target, achieved}}} for components off target by more than the tolerance."""
    if engine.schema("mixtures") is None:
        return {}
    sql = ("select mixture, component, cast(sum(token_count) as bigint) as tokens "
           "from {{ ref('mixtures') }} group by mixture, component")
    tokens: dict[str, dict[str, int]] = {}
    for r in engine.query(sql).read_all().to_pylist():
        tokens.setdefault(r["mixture"], {})[r["component"]] = r["tokens"]
    off = {}
    for name, path in specs.spec_files(spec_folder).items():
        if name not in tokens:
            continue  # not materialized yet
        total = sum(tokens[name].values()) or 1
        for c in specs.load_spec(path).components:
            achieved = tokens[name].get(c.name, 0) / total
            if abs(achieved - c.target_ratio) > RATIO_TOLERANCE:
                off.setdefault(name, {})[c.name] = {"target": c.target_ratio, "achieved": round(achieved, 6)}
    return off


@dg.asset_check(asset="mixtures", description="No mixture holds a contaminated (drop) or held-out document.")
def mixtures_exclude_eval_documents(sql_engine: engines.SqlEngine) -> dg.AssetCheckResult:
    leaks, opted_out = find_leaks(sql_engine)
    serious = {m: v for m, v in leaks.items() if m not in opted_out}
    return dg.AssetCheckResult(
        passed=not leaks,
        severity=dg.AssetCheckSeverity.ERROR if serious else dg.AssetCheckSeverity.WARN,
        metadata={"leaked_documents": dg.MetadataValue.json({m: len(ids) for m, ids in leaks.items()}),
                  "examples": dg.MetadataValue.json({m: ids[:10] for m, ids in leaks.items()}),
                  "opted_out": sorted(opted_out & set(leaks))},
        description=None if not leaks else f"{len(leaks)} mixture(s) hold excluded documents",
    )


@dg.asset_check(asset="mixtures", description="Each component's achieved token ratio is within 1% of target.")
def mixtures_ratios_on_target(sql_engine: engines.SqlEngine) -> dg.AssetCheckResult:
    off = ratio_errors(sql_engine)
    return dg.AssetCheckResult(passed=not off, metadata={"off_target": dg.MetadataValue.json(off),
                                                         "tolerance": RATIO_TOLERANCE})
