"""Asset checks on `document_classifications` and `quality_model` (read straight from Lance)."""

import json
from collections import Counter

import dagster as dg
import lance
import pyarrow as pa
import pyarrow.compute as pc

from platform_assets.processors.classifiers import registry
from platform_assets.processors.classifiers.domain import DOMAINS
from platform_assets.processors.classifiers.heldout import MIN_PER_CLASS, describe
from resources.lance_scans import STREAMING

_CLASSIFICATIONS = dg.AssetKey("document_classifications")


def unit_score_violations(table: pa.Table) -> dict[str, int]:
    """In-process `score__` columns holding values outside [0, 1], with the count of such rows."""
    in_process = {f"score__{n}" for n in registry.names()}
    bad = {}
    for name in table.column_names:
        if name in in_process:
            col = table.column(name)
            n = pc.sum(pc.or_(pc.less(col, 0.0), pc.greater(col, 1.0))).as_py() or 0
            if n:
                bad[name] = n
    return bad


@dg.asset_check(asset=_CLASSIFICATIONS, description="One row per (day, doc_id); no duplicates, no null ids.")
def one_row_per_document(document_classifications: lance.LanceDataset) -> dg.AssetCheckResult:
    ids = document_classifications.to_table(columns=["day", "doc_id"])
    distinct = ids.group_by(["day", "doc_id"]).aggregate([]).num_rows
    nulls = ids.column("doc_id").null_count
    return dg.AssetCheckResult(
        passed=distinct == ids.num_rows and nulls == 0,
        metadata={"rows": ids.num_rows, "duplicates": ids.num_rows - distinct, "null_ids": nulls},
    )


@dg.asset_check(asset=_CLASSIFICATIONS, description="Scores in [0, 1]; every domain label is a known domain.")
def scores_and_labels_valid(document_classifications: lance.LanceDataset) -> dg.AssetCheckResult:
    ds = document_classifications
    cols = [c for c in ds.schema.names if c.startswith("score__") or c == "label__domain_v1"]
    bad: Counter = Counter()
    unknown = 0
    for batch in ds.scanner(columns=cols, **STREAMING).to_batches():  # a batch at a time, never the lake
        table = pa.Table.from_batches([batch])
        bad.update(unit_score_violations(table))
        if "label__domain_v1" in table.column_names:
            labels = table.column("label__domain_v1")
            known = pc.is_in(labels, pa.array(DOMAINS))
            unknown += labels.null_count + (pc.sum(pc.invert(known)).as_py() or 0)
    return dg.AssetCheckResult(
        passed=not bad and unknown == 0,
        metadata={"out_of_range": json.dumps(dict(bad)), "unknown_domain_labels": unknown},
    )


@dg.asset_check(
    asset=dg.AssetKey("quality_model"),
    description="The model separates held-out reference text from length-matched clean documents better "
    "than length alone does (held-out ROC AUC against a length-only AUC, with the AUC's 95% bootstrap "
    f"interval and the held-out size). With fewer than {MIN_PER_CLASS} held-out texts of either class the "
    "AUC is marked unreliable (metadata `holdout_reliable` = false): the check then only warns.",
)
def quality_model_beats_length(quality_model: lance.LanceDataset) -> dg.AssetCheckResult:
    rows = quality_model.to_table(columns=["metrics"]).to_pylist()
    if not rows:
        return dg.AssetCheckResult(passed=False, metadata={"reason": "no model stored"})
    m = json.loads(rows[0]["metrics"])
    auc, base = m.get("holdout_roc_auc") or 0.0, m.get("length_baseline_roc_auc") or 0.0
    reliable = m.get("holdout_reliable") is not False  # a model stored before the size rule: as before
    return dg.AssetCheckResult(
        passed=auc > base,
        # ERROR on a held-out set big enough to mean something; a tiny one only warns
        severity=dg.AssetCheckSeverity.ERROR if reliable else dg.AssetCheckSeverity.WARN,
        description=describe(m) if "holdout_size" in m else None,
        metadata={
            "holdout_roc_auc": auc,
            "length_baseline_roc_auc": base,
            **{k: m[k] for k in _HELDOUT_KEYS if k in m},
        },
    )


_HELDOUT_KEYS = ("holdout_roc_auc_ci_low", "holdout_roc_auc_ci_high", "holdout_size", "holdout_reliable")
