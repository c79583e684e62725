"""The labeling loop of `maslow demo`: export the queue, two SIMULATED annotators answer, import, retrain.

The annotators are deterministic programs (`demo_data/annotators.py`) and are named as simulated wherever
their figures are printed. The loop is what a team runs with people and Label Studio (docs/labeling.md),
with `maslow label push` / `pull` in place of the simulated answers.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import dagster as dg

from platform_assets import settings
from platform_assets.cli import label
from platform_assets.cli.demo_data.annotators import ANNOTATORS, annotate
from platform_assets.cli.runner import QUIET
from platform_assets.processors.labeling.annotations import labels_dir

QUEUE = "quality_review"


def _fmt(value) -> str:
    return "-" if value is None else (f"{value:.3f}" if isinstance(value, float) else str(value))


def run_loop(defs: dg.Definitions, instance: dg.DagsterInstance) -> list[str]:
    """Runs export → simulated annotation → import → retrain once; returns the lines to print."""
    started = time.perf_counter()
    files = label.export_files(QUEUE, settings.maslow_home() / "labeling" / QUEUE, list(label.FORMATS))
    tasks = label.queue_tasks(QUEUE).to_pylist()
    exported = time.perf_counter()
    annotate(tasks, labels_dir(settings.landing_dir(), QUEUE), datetime.now(UTC).isoformat())
    meta = label.import_now(QUEUE, instance)
    imported = time.perf_counter()
    job = defs.resolve_implicit_global_asset_job_def()
    retrain = [dg.AssetKey("quality_model"), dg.AssetKey("label_agreement")]  # the model, and its panel
    result = job.execute_in_process(asset_selection=retrain, instance=instance,
                                    run_config=QUIET)
    model = {k: getattr(v, "value", v) for k, v in result.asset_materializations_for_node("quality_model")[0]
             .metadata.items()}
    done = time.perf_counter()
    labels, agree = meta["human_labels"], meta["adjudicated_labels"]

    def a(key: str) -> str:
        return _fmt(agree.get(f"agreement/{key}"))

    names = ", ".join(x.name for x in ANNOTATORS)
    lines = [f"  queue {QUEUE}: {len(tasks)} tasks exported ({', '.join(f.name for f in files)})",
             f"  SIMULATED annotators (programs, not people): {names}",
             f"  human_labels: {labels['labels/new_rows']} annotations imported, {labels.get('labels/tag')}",
             f"  agreement on {a('overlap_items')} overlap items: Cohen's kappa {a('cohen_kappa')}, "
             f"Fleiss' kappa {a('fleiss_kappa')}, Krippendorff's alpha (nominal) {a('krippendorff_alpha')}",
             f"  suggestion accepted on overlap items: {a('suggestion_acceptance')}; model vs adjudicated "
             f"labels on the gold (random) slice: {a('model_gold_accuracy')} over {a('gold_items')} items"]
    for who, st in agree["agreement/annotators"].items():
        lines.append(f"    {who}: {st['answers']} answers, gold-slice accuracy {_fmt(st['gold_accuracy'])}, "
                     f"suggestion acceptance {_fmt(st['suggestion_acceptance'])}")
    lines += [f"  quality_model retrained on {model.get('labels/tag')} ({model.get('labels/status')}): "
              f"+{model.get('labels/positives')} positives, +{model.get('labels/negatives')} negatives; "
              f"gold-slice accuracy {_fmt(model.get('labels/gold_accuracy_before'))} before → "
              f"{_fmt(model.get('labels/gold_accuracy_after'))} after",
              f"  one loop: export {exported - started:.1f} s, import {imported - exported:.1f} s, "
              f"retrain {done - imported:.1f} s, total {done - started:.1f} s"]
    return lines
