"""From annotations to one label per item (majority, ties left open) and the queue's agreement report.

Pure (no dagster import). Input: `human_labels` rows of one queue up to a label version, and the queue's
tasks (for the slice, overlap group, suggestion and optional gold answer).
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict

import pyarrow as pa

from platform_assets.processors.labeling import agreement

ADJUDICATED_SCHEMA = pa.schema(
    [
        ("queue", pa.string()),
        ("labels_version", pa.int32()),
        ("item_id", pa.string()),
        ("label", pa.string()),
        ("status", pa.string()),
        ("agreement", pa.float64()),
        ("annotations", pa.int32()),
        ("answers", pa.string()),
        ("slice", pa.string()),
        ("suggestion_label", pa.string()),
        ("text", pa.large_string()),
    ]
)


def latest_answers(labels: list[dict]) -> dict[str, dict[str, str]]:
    """`{item: {annotator: answer}}` from each annotator's latest non-cancelled answer per item."""
    latest: dict[tuple[str, str], dict] = {}
    for row in labels:
        key = (row["item_id"], row["annotator"])
        order = (row["updated_at"] or row["created_at"], row["labels_version"])
        if key not in latest or order >= latest[key][0]:
            latest[key] = (order, row)
    out: dict[str, dict[str, str]] = defaultdict(dict)
    for (item, who), (_, row) in latest.items():
        if not row["cancelled"] and row["answer"] is not None:
            out[item][who] = row["answer"]
    return dict(out)


def majority(by: dict[str, str]) -> tuple[str | None, str, float]:
    """(label or None on a tie, status, agreement = share of answers that are the top answer)."""
    counts = Counter(by.values()).most_common()
    top = counts[0][1]
    tied = len(counts) > 1 and counts[1][1] == top
    status = "tie" if tied else ("single" if len(by) == 1 else "majority")
    return (None if tied else counts[0][0]), status, top / len(by)


def adjudicate(labels: list[dict], tasks: list[dict], queue: str, version: int) -> pa.Table:
    """One row per answered item: the majority label (null on a tie), its agreement and every answer."""
    answers = latest_answers(labels)
    by_item = {t["item_id"]: t for t in tasks}
    rows = []
    for item in sorted(answers):
        label, status, share = majority(answers[item])
        task = by_item.get(item, {})
        rows.append(
            {
                "queue": queue,
                "labels_version": version,
                "item_id": item,
                "label": label,
                "status": status,
                "agreement": share,
                "annotations": len(answers[item]),
                "answers": json.dumps(answers[item], sort_keys=True),
                "slice": task.get("slice"),
                "suggestion_label": task.get("suggestion_label"),
                "text": task.get("text"),
            }
        )
    return pa.Table.from_pylist(rows, schema=ADJUDICATED_SCHEMA)


def _finite(x: float) -> float | None:
    return None if x is None or math.isnan(x) else round(float(x), 6)


def report(labels: list[dict], tasks: list[dict], categories: list[str], level: str) -> dict:
    """Agreement figures for one queue: kappas, alphas, per-annotator counts, gold-slice accuracy and the
    rate at which annotators accepted the suggestion they saw on overlap items (automation bias)."""
    answers = latest_answers(labels)
    by_item = {t["item_id"]: t for t in tasks}
    out: dict = {"items_answered": len(answers), "annotations": sum(len(b) for b in answers.values())}
    overlap = {i: b for i, b in answers.items() if len(b) >= 2}
    out["overlap_items"] = len(overlap)
    pair = agreement.busiest_pair(overlap)
    kappa, shared = agreement.cohen_for_pair(overlap, pair) if pair else (float("nan"), 0)
    out.update(cohen_kappa=_finite(kappa), cohen_pair=list(pair) if pair else None, cohen_items=shared)
    fleiss, items, raters = agreement.fleiss_for(overlap, categories)
    out.update(fleiss_kappa=_finite(fleiss), fleiss_items=items, fleiss_raters=raters)
    matrix = agreement.reliability_matrix(answers, categories)
    levels = ("nominal", "ordinal", "interval") if level == "ordinal" else ("nominal",)
    for lv in levels:
        out[f"krippendorff_alpha_{lv}"] = _finite(agreement.krippendorff_alpha(matrix, lv))
    out["krippendorff_alpha"] = out[f"krippendorff_alpha_{level}"]
    out["annotators"] = _per_annotator(labels, answers, by_item)
    out["suggestion_acceptance"] = acceptance_rate(labels, tasks)
    out.update(_gold(answers, by_item))
    return out


def _per_annotator(labels: list[dict], answers: dict, by_item: dict) -> dict:
    """Per annotator: answers, cancelled, accuracy on the random slice (against the gold answer where the
    queue has one, else the majority of the other annotators) and suggestion acceptance on overlap items."""
    stats: dict[str, dict] = defaultdict(lambda: Counter())
    for row in labels:
        stats[row["annotator"]]["cancelled"] += bool(row["cancelled"])
    seen = {(r["item_id"], r["annotator"]): r["seen_label"] for r in labels if r["seen_label"] is not None}
    for item, by in answers.items():
        task = by_item.get(item, {})
        for who, answer in by.items():
            s = stats[who]
            s["answers"] += 1
            if task.get("slice") == "random":
                ref = task.get("gold") or majority({k: v for k, v in by.items() if k != who} or {"": ""})[0]
                if ref:
                    s["gold_items"] += 1
                    s["gold_correct"] += answer == ref
            if task.get("overlap_group") is not None and (item, who) in seen:
                s["shown"] += 1
                s["accepted"] += answer == seen[(item, who)]
    return {
        who: {
            "answers": s["answers"],
            "cancelled": s["cancelled"],
            "gold_items": s["gold_items"],
            "gold_accuracy": _ratio(s["gold_correct"], s["gold_items"]),
            "suggestion_acceptance": _ratio(s["accepted"], s["shown"]),
        }
        for who, s in sorted(stats.items())
    }


def _gold(answers: dict, by_item: dict) -> dict:
    """The model's accuracy on the random slice (its suggestion vs the adjudicated label) and the overall
    suggestion acceptance on overlap items."""
    decided = correct = 0
    for item, by in answers.items():
        task = by_item.get(item, {})
        label = task.get("gold") or majority(by)[0]
        if task.get("slice") == "random" and label is not None and task.get("suggestion_label") is not None:
            decided += 1
            correct += task["suggestion_label"] == label
    return {"gold_items": decided, "model_gold_accuracy": _ratio(correct, decided)}


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 6) if b else None


def acceptance_rate(labels: list[dict], tasks: list[dict]) -> float | None:
    """Share of the latest answers on overlap items that equal the suggestion the annotator saw."""
    overlap = {t["item_id"] for t in tasks if t.get("overlap_group") is not None}
    seen = {(r["item_id"], r["annotator"]): r["seen_label"] for r in labels if r["seen_label"] is not None}
    shown = [
        (answer, seen[(item, who)])
        for item, by in latest_answers(labels).items()
        if item in overlap
        for who, answer in by.items()
        if (item, who) in seen
    ]
    return _ratio(sum(a == s for a, s in shown), len(shown))
