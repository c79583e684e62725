"""Labeling tasks out: Label Studio task JSON (with `predictions`), its labeling config, JSONL and CSV.

Pure (no dagster import). The Label Studio shapes follow its REST API: a task is `{"data": {...},
"predictions": [{"model_version", "score", "result": [...]}]}`; a result names the control (`from_name`)
and the object it labels (`to_name`).
"""

from __future__ import annotations

import csv
import io
import json
from xml.sax.saxutils import quoteattr

import pyarrow as pa

DATA_FIELDS = ("item_id", "queue", "task_id", "slice", "stratum", "overlap_group", "required_annotations")
PAIRWISE_SIDES = {"a": "left", "b": "right"}


def labeling_config(kind: str, name: str, prompt: str, choices: list[str], scale: int) -> str:
    """The Label Studio labeling config (XML) for a question."""
    header = f"<Header value={quoteattr(prompt)}/>"
    if kind == "pairwise":
        return (
            "<View>" + header + '<Text name="text" value="$text"/>'
            f'<Pairwise name={quoteattr(name)} toName="text_a,text_b"/>'
            '<Text name="text_a" value="$text_a"/><Text name="text_b" value="$text_b"/></View>'
        )
    if kind == "rating":
        control = f'<Rating name={quoteattr(name)} toName="text" maxRating="{scale}" required="true"/>'
    else:
        options = "".join(f"<Choice value={quoteattr(c)}/>" for c in choices)
        control = (
            f'<Choices name={quoteattr(name)} toName="text" choice="single" showInline="true" '
            f'required="true">{options}</Choices>'
        )
    return "<View>" + header + '<Text name="text" value="$text"/>' + control + "</View>"


def result_for(kind: str, name: str, answer: str) -> dict:
    """One Label Studio result item carrying `answer` for the question `name`."""
    if kind == "pairwise":
        return {
            "from_name": name,
            "to_name": "text_a,text_b",
            "type": "pairwise",
            "value": {"selected": PAIRWISE_SIDES[answer]},
        }
    if kind == "rating":
        return {"from_name": name, "to_name": "text", "type": "rating", "value": {"rating": int(answer)}}
    return {"from_name": name, "to_name": "text", "type": "choices", "value": {"choices": [answer]}}


def answer_of(result: list[dict], name: str) -> str | None:
    """The answer a Label Studio `result` list holds for question `name` (None when it has none)."""
    for item in result or []:
        if item.get("from_name") != name:
            continue
        value = item.get("value") or {}
        if "choices" in value and value["choices"]:
            return str(value["choices"][0])
        if "rating" in value:
            return str(int(value["rating"]))
        if "selected" in value:
            return {v: k for k, v in PAIRWISE_SIDES.items()}.get(value["selected"])
    return None


def ls_tasks(tasks: pa.Table, kind: str, name: str) -> list[dict]:
    """Label Studio task JSON, one per row, with the model suggestion as a prediction where there is one."""
    out = []
    for row in tasks.to_pylist():
        data = {k: row[k] for k in DATA_FIELDS}
        data["text"] = row["text"] or ""
        if kind == "pairwise":
            data["text_a"], data["text_b"] = row["text_a"] or "", row["text_b"] or ""
        task: dict = {"data": data}
        if row["suggestion_label"] is not None:
            task["predictions"] = [
                {
                    "model_version": row["model_version"] or "unknown",
                    "score": row["suggestion_score"],
                    "result": [result_for(kind, name, row["suggestion_label"])],
                }
            ]
        out.append(task)
    return out


def jsonl(tasks: pa.Table) -> str:
    return "".join(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n" for row in tasks.to_pylist())


def csv_text(tasks: pa.Table) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=tasks.column_names, lineterminator="\n")
    writer.writeheader()
    writer.writerows(tasks.to_pylist())
    return buf.getvalue()
