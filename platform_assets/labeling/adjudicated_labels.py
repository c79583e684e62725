"""`adjudicated_labels`: one label per item and label version, with agreement checks on the latest version."""

import json

import dagster as dg
import pyarrow as pa

from platform_assets.labeling import spec as specs
from platform_assets.labeling.human_labels import labels_tag
from platform_assets.partitions import QUEUE_METADATA, queue_partitions, queues
from platform_assets.processors.labeling import adjudicate

ADJUDICATION_VERSION = "majority_v1"
KEY = dg.AssetKey("adjudicated_labels")
CHECKS = {
    "cohen_kappa": "Cohen's kappa of the two annotators sharing the most items",
    "fleiss_kappa": "Fleiss' kappa over the items with the usual number of answers",
    "krippendorff_alpha": "Krippendorff's alpha at the question's level (missing answers allowed)",
}


def agreement_checks(report: dict, thresholds: specs.Thresholds) -> list[dg.AssetCheckResult]:
    """One result per statistic: fails below the spec's threshold, or (WARN) with too few overlap items."""
    out = []
    for name in CHECKS:
        floor, value = getattr(thresholds, name), report.get(name)
        enough = report["overlap_items"] >= thresholds.min_overlap_items
        passed = floor is None or (enough and value is not None and value >= floor)
        severity = dg.AssetCheckSeverity.WARN if not enough else dg.AssetCheckSeverity.ERROR
        out.append(
            dg.AssetCheckResult(
                check_name=name,
                asset_key=KEY,
                passed=passed,
                severity=severity,
                metadata={
                    "value": value,
                    "threshold": floor,
                    "overlap_items": report["overlap_items"],
                    "min_overlap_items": thresholds.min_overlap_items,
                },
            )
        )
    return out


def report_metadata(report: dict) -> dict:
    meta = {
        f"agreement/{k}": v
        for k, v in report.items()
        if isinstance(v, int | float) and not isinstance(v, bool) and v is not None
    }
    meta["agreement/annotators"] = dg.MetadataValue.json(report["annotators"])
    meta["agreement/cohen_pair"] = json.dumps(report["cohen_pair"])
    return meta


@dg.asset(
    key=KEY,
    partitions_def=queue_partitions,
    metadata=QUEUE_METADATA,
    io_manager_key="lance_io_manager",
    kinds={"lance", "python"},
    code_version=ADJUDICATION_VERSION,
    check_specs=[dg.AssetCheckSpec(name, asset=KEY, description=d) for name, d in CHECKS.items()],
)
def adjudicated_labels(context: dg.AssetExecutionContext, human_labels: pa.Table, labeling_queue: pa.Table):
    """One row per (label version, item): the majority label (null on a tie, `status` tie), the share of
    answers that agree with it, every answer, and the item's slice and suggestion. Every label version
    N of `human_labels` (the annotations with labels_version <= N) is adjudicated, so a model trained on
    version N reads exactly that version's rows. Agreement (Cohen's and Fleiss' kappa, Krippendorff's
    alpha, per-annotator counts, gold-slice accuracy, suggestion acceptance) of the latest version goes
    to metadata and to the asset checks, which fail below the queue spec's `agreement` thresholds.
    """
    queue = context.partition_key
    spec = queues.spec(queue)
    labels, tasks = human_labels.to_pylist(), labeling_queue.to_pylist()
    latest = max((r["labels_version"] for r in labels), default=0)
    tables = [
        adjudicate.adjudicate([r for r in labels if r["labels_version"] <= v], tasks, queue, v)
        for v in range(1, latest + 1)
    ]
    table = pa.concat_tables(tables) if tables else adjudicate.ADJUDICATED_SCHEMA.empty_table()
    report = adjudicate.report(labels, tasks, spec.question.answers(), spec.question.level)
    meta = {
        "labels/version": latest,
        "labels/tag": labels_tag(queue, latest) if latest else "",
        **report_metadata(report),
    }
    current = [r for r in table.to_pylist() if r["labels_version"] == latest]
    meta["labels/decided"] = sum(r["label"] is not None for r in current)
    meta["labels/ties"] = sum(r["status"] == "tie" for r in current)
    return dg.MaterializeResult(
        value=table, metadata=meta, check_results=agreement_checks(report, spec.agreement)
    )
