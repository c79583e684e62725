"""`maslow demo`: materialize the whole graph on demo data, then print what was built.

Writes the demo landing folder, runs the whole graph through the staged runner (`cli/runner.py`) on
the Dagster instance under DAGSTER_HOME, so `make ui` shows the history afterwards, and writes the
analytics report (`maslow report`) to $MASLOW_HOME/reports/report.html.
"""

from __future__ import annotations

from collections.abc import Sequence

import dagster as dg

from platform_assets import settings
from platform_assets.clean.clean_documents import DROPPED
from platform_assets.cli.args import console as args_console
from platform_assets.cli.demo_labels import run_loop
from platform_assets.cli.runner import run_graph
from platform_assets.metadata_tables import records
from platform_assets.processors.classifiers import heldout
from resources import lance_datasets


def _materializations(results: Sequence[dg.ExecuteInProcessResult]) -> dict[str, list]:
    by_asset: dict[str, list] = {}
    for result in results:
        for event in result.get_asset_materialization_events():
            mat = event.event_specific_data.materialization
            by_asset.setdefault(mat.asset_key.to_user_string(), []).append(mat)
    return by_asset


def _value(value):
    inner = getattr(value, "value", value)
    return getattr(inner, "data", inner)


def summary(defs: dg.Definitions, results: Sequence[dg.ExecuteInProcessResult],
            truth: dict | None = None) -> list[str]:
    """Rows, Lance version and location per asset, then each level's figures from this run's metadata.

    With the demo data's `truth`, the contamination section also says how many planted leaks were found.
    """
    lake = settings.lake_uri()
    lines = [f"{'asset':28} {'rows':>9} {'lance':>6}  location"]
    for key in defs.resolve_asset_graph().toposorted_asset_keys:
        uri = lance_datasets.dataset_uri(lake, key.path)
        ds = lance_datasets.open_dataset(uri)
        if ds is not None:
            lines.append(f"{key.to_user_string():28} {ds.count_rows():>9,} {'v' + str(ds.version):>6}  {uri}")
    mats = _materializations(results)
    lines += ["", "clean funnel (per day)"] + _funnel(mats)
    lines += ["", "media funnel (per day)"] + _media_funnel(mats, lake, truth)
    lines += ["", "contamination (per eval set, all days)"] + _contamination(lake, truth)
    lines += ["", "classifications"] + _classifications(mats)
    lines += ["", "mixtures (achieved composition)"] + _mixtures(mats)
    lines += ["", "synthetics (pairs made, verified, dropped by reason)"]
    lines += _summaries(mats, "preference_pairs", "summary/synthetics")
    return lines


def _funnel(mats: dict[str, list]) -> list[str]:
    quarantined = {m.partition: _value(m.metadata.get("quarantined", 0))
                   for m in mats.get("quarantined_records", [])}
    out = []
    for m in sorted(mats.get("clean_documents", []), key=lambda m: m.partition or ""):
        meta = {k: _value(v) for k, v in m.metadata.items()}
        drops = {k: v for k, v in records(meta.get(DROPPED)).items() if v}
        top = ", ".join(f"{k} {v}" for k, v in sorted(drops.items(), key=lambda kv: -kv[1])[:6])
        out.append(
            f"  {m.partition}: {meta.get('raw_rows')} raw (+{quarantined.get(m.partition, 0)} quarantined) → "
            f"{meta.get('clean_rows')} kept, {meta.get('rejected_rows')} dropped; dedup rate "
            f"{meta.get('dedup_rate', 0):.1%}; {meta.get('tokens_kept', 0):,} tokens kept; PII redacted "
            f"{meta.get('pii/emails', 0)} emails, {meta.get('pii/phones', 0)} phones, "
            f"{meta.get('pii/ips', 0)} IPs"
        )
        out.append(f"      drops: {top or '-'}")
        domains = ", ".join(f"{k} {v}" for k, v in sorted(records(meta.get("clean_rows_by_domain")).items()))
        edits = meta.get("lines_removed", 0)
        out.append(f"      kept by domain: {domains or '-'}; C4 line edits removed {edits} lines")
    return out or ["  (none)"]


def _media_funnel(mats: dict[str, list], lake: str, truth: dict | None) -> list[str]:
    from platform_assets.cli.demo_data.media_truth import near_dup_scores

    quarantined = {m.partition: {k: _value(v) for k, v in m.metadata.items()}
                   for m in mats.get("quarantined_media", [])}
    out = []
    for m in sorted(mats.get("clean_media", []), key=lambda m: m.partition or ""):
        meta = {k: _value(v) for k, v in m.metadata.items()}
        bad = {k: v for k, v in records(quarantined.get(m.partition, {}).get("quarantined_per_kind")).items()
               if v}
        drops = {k: v for k, v in records(meta.get("dropped_by_reason")).items() if v}
        kept = ", ".join(f"{k} {v}" for k, v in sorted(records(meta.get("clean_rows_by_modality")).items()))
        why = ", ".join(f"{k} {v}" for k, v in sorted(bad.items())) or "-"
        out.append(f"  {m.partition}: {meta.get('raw_rows')} raw (+{sum(bad.values())} quarantined: {why}) → "
                   f"{meta.get('clean_rows')} kept ({kept or '-'}), {meta.get('rejected_rows')} dropped")
        out.append(f"      drops: {', '.join(f'{k} {v}' for k, v in sorted(drops.items())) or '-'}")
    clean = _open(lake, "clean_media")
    rejected = _open(lake, "rejected_media")
    planted = ((truth or {}).get("media") or {}).get("images")
    if planted and clean is not None and rejected is not None:
        s = near_dup_scores(planted, clean.to_table(columns=["doc_id"]),
                            rejected.to_table(columns=["doc_id", "stage", "duplicate_of"]))
        missed = ", ".join(f"{k} {v}" for k, v in s["missed_by_transform"].items()) or "none"
        out.append(f"  planted near-duplicate images: recall {s['recall']:.0%} ({s['found']}/{s['planted']}; "
                   f"missed: {missed}), precision {s['precision']:.0%} ({s['drops']} near-dup drops)")
    return out or ["  (none)"]


def _open(lake: str, name: str):
    return lance_datasets.open_dataset(lance_datasets.dataset_uri(lake, [name]))


def _contamination(lake: str, truth: dict | None) -> list[str]:
    from platform_assets.cli.demo_data.eval_plants import TRUTH_KEY, missing_plants
    from platform_assets.eval_sets.contamination_report import summary_lines

    ds = lance_datasets.open_dataset(lance_datasets.dataset_uri(lake, ["contamination_report"]))
    if ds is None:
        return ["  (none)"]
    out = ["  " + line for line in summary_lines(ds.to_table())]
    found = lance_datasets.open_dataset(lance_datasets.dataset_uri(lake, ["contamination"]))
    planted = (truth or {}).get(TRUTH_KEY, [])
    if planted and found is not None:
        columns = ["doc_id", "eval_set", "item_id", "action"]
        missing = missing_plants(planted, found.to_table(columns=columns))
        out.append(f"  planted eval leaks found with the expected action: {len(planted) - len(missing)}"
                   f"/{len(planted)}")
    return out


def _classifications(mats: dict[str, list]) -> list[str]:
    out = []
    for m in mats.get("quality_model", [])[-1:]:
        meta = {k: _value(v) for k, v in m.metadata.items()}
        metrics = {k.removeprefix("quality/"): v for k, v in meta.items() if k.startswith("quality/")}
        if "holdout_size" in metrics:
            out.append("  quality_model: " + heldout.describe(metrics))
        shown = ("length_baseline_roc_auc", "precision_at_threshold")
        auc = {k: v for k, v in meta.items() if k.endswith(shown)}
        out.append("  quality_model: " + ", ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}"
                                                   for k, v in auc.items()))
    for m in sorted(mats.get("document_classifications", []), key=lambda m: m.partition or "")[-1:]:
        out.append(f"  document_classifications [{m.partition}]:")
        for k, v in m.metadata.items():
            if k.startswith("classifications/"):
                out.append(f"    {k[len('classifications/'):]}: {_value(v)}")
    return out or ["  (none)"]


def _mixtures(mats: dict[str, list]) -> list[str]:
    return _summaries(mats, "mixtures", "summary/composition")


def _summaries(mats: dict[str, list], asset: str, key: str) -> list[str]:
    out = []
    for m in mats.get(asset, []):
        value = m.metadata.get(key)
        if value is not None:
            out += ["  " + line for line in str(_value(value)).splitlines()]
    return out or ["  (none)"]


def arguments(parser) -> None:
    parser.add_argument("--days", type=int, default=3, help="demo days ending yesterday (default 3)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--docs-per-day", type=int, default=None)


def run(args) -> int:
    import os
    import time

    from platform_assets.cli.dagster_home import ensure_dagster_home
    from platform_assets.cli.demo_data import DEFAULT_DOCS_PER_DAY, generate, load_truth

    console = args_console()
    os.environ["DAGSTER_HOME"] = str(ensure_dagster_home(settings.dagster_home()))
    landing = settings.landing_dir()
    started = time.perf_counter()
    generate(landing, args.days, args.seed, args.docs_per_day or DEFAULT_DOCS_PER_DAY)
    days = load_truth(landing, args.seed)["days"]
    console.print(f"demo data: {len(days)} days ({days[0]} .. {days[-1]}) under {landing}")
    from platform_assets.definitions import build_defs

    defs = build_defs()
    with dg.DagsterInstance.get() as instance:
        results = run_graph(defs, instance, days, console)
    console.print(f"\nmaterialized {len(results)} runs in {time.perf_counter() - started:.0f} s\n")
    for line in summary(defs, results, load_truth(landing, args.seed)):
        console.print(line, highlight=False, soft_wrap=True)
    console.print("\nlabeling loop (export, simulated annotation, import, retrain)")
    with dg.DagsterInstance.get() as instance:
        for line in run_loop(defs, instance):
            console.print(line, highlight=False, soft_wrap=True)
    from platform_assets.cli.report import write_report

    with dg.DagsterInstance.get() as instance:
        report = write_report(instance=instance)
    console.print(f"\nreport (every analytics panel, {days[0]} .. {days[-1]}): {report.resolve()}",
                  highlight=False, soft_wrap=True)
    console.print(
        f"\nLance datasets: {settings.lake_uri()}   Dagster instance: {settings.dagster_home()}\n"
        "Open the UI with `make ui` (http://127.0.0.1:3000); try `maslow audit mixtures --verify`, "
        "`maslow status`, `maslow trace <doc_id>`."
    )
    return 0
