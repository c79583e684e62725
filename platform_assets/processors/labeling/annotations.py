"""Annotation files in: a Label Studio JSON export or JSONL (one annotation per line) → `human_labels` rows.

Pure (no dagster import). JSONL lines look like `{"item_id", "annotator", "answer", "lead_time",
"cancelled", "created_at", "updated_at", "suggestion": {"label", "score", "model_version"}, "id"}`; only
item_id, annotator and answer (or cancelled) are required. A line or task that cannot be read raises
`AnnotationFileError` naming the file and the line (or task index): labels are never dropped quietly.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import xxhash

from platform_assets.processors.labeling.export import answer_of

LABEL_SCHEMA = pa.schema(
    [
        ("queue", pa.string()),
        ("annotation_key", pa.string()),
        ("annotation_id", pa.string()),
        ("task_id", pa.string()),
        ("item_id", pa.string()),
        ("annotator", pa.string()),
        ("answer", pa.string()),
        ("cancelled", pa.bool_()),
        ("lead_time_s", pa.float64()),
        ("seen_label", pa.string()),
        ("seen_score", pa.float64()),
        ("seen_model_version", pa.string()),
        ("created_at", pa.timestamp("us", tz="UTC")),
        ("updated_at", pa.timestamp("us", tz="UTC")),
        ("imported_at", pa.timestamp("us", tz="UTC")),
        ("source_file", pa.string()),
        ("source_sha256", pa.string()),
        ("labels_version", pa.int32()),
    ]
)
SUFFIXES = (".json", ".jsonl")


class AnnotationFileError(ValueError):
    """An annotation file cannot be read; the message names the file and the line or task."""


def _time(value, where: str) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise AnnotationFileError(f"{where}: not an ISO timestamp: {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _annotator(who) -> str:
    if isinstance(who, dict):
        return who.get("email") or f"user-{who.get('id')}"
    return f"user-{who}"


def _ls_rows(tasks: list, question: str, where: str) -> list[dict]:
    rows = []
    for n, task in enumerate(tasks):
        data = task.get("data") or {}
        if "item_id" not in data:
            raise AnnotationFileError(f"{where}: task [{n}] has no data.item_id (not pushed by maslow?)")
        for ann in task.get("annotations") or []:
            seen = ann.get("prediction") or {}
            rows.append(
                {
                    "annotation_id": f"ls:{ann.get('unique_id') or ann.get('id')}",
                    "task_id": data.get("task_id"),
                    "item_id": str(data["item_id"]),
                    "annotator": _annotator(ann.get("completed_by")),
                    "answer": answer_of(ann.get("result") or [], question),
                    "cancelled": bool(ann.get("was_cancelled")),
                    "lead_time_s": ann.get("lead_time"),
                    "seen_label": answer_of(seen.get("result") or [], question) if seen else None,
                    "seen_score": seen.get("score"),
                    "seen_model_version": seen.get("model_version"),
                    "created_at": _time(ann.get("created_at"), f"{where}: task [{n}]"),
                    "updated_at": _time(ann.get("updated_at"), f"{where}: task [{n}]"),
                }
            )
    return rows


def _jsonl_rows(text: str, where: str) -> list[dict]:
    rows = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            item, who = str(obj["item_id"]), str(obj["annotator"])
        except (json.JSONDecodeError, KeyError, TypeError) as e:
            raise AnnotationFileError(
                f"{where}:{n}: needs a JSON object with item_id and annotator ({e})"
            ) from None
        cancelled = bool(obj.get("cancelled", False))
        if obj.get("answer") is None and not cancelled:
            raise AnnotationFileError(f"{where}:{n}: an answer is required unless cancelled is true")
        seen = obj.get("suggestion") or {}
        created = _time(obj.get("created_at"), f"{where}:{n}")
        rows.append(
            {
                "annotation_id": str(obj.get("id") or f"{item}|{who}|{obj.get('created_at')}"),
                "task_id": obj.get("task_id"),
                "item_id": item,
                "annotator": who,
                "answer": None if obj.get("answer") is None else str(obj["answer"]),
                "cancelled": cancelled,
                "lead_time_s": obj.get("lead_time"),
                "seen_label": seen.get("label"),
                "seen_score": seen.get("score"),
                "seen_model_version": seen.get("model_version"),
                "created_at": created,
                "updated_at": _time(obj.get("updated_at"), f"{where}:{n}") or created,
            }
        )
    return rows


def read_file(path: Path, queue: str, question: str, answers: list[str]) -> list[dict]:
    """Every annotation in one file, as `human_labels` rows without `labels_version`/`imported_at`."""
    raw = path.read_bytes()
    text = raw.decode("utf-8")
    where = str(path)
    if path.suffix == ".jsonl":
        rows = _jsonl_rows(text, where)
    else:
        try:
            tasks = json.loads(text)
        except json.JSONDecodeError as e:
            raise AnnotationFileError(f"{where}:{e.lineno}: not valid JSON ({e.msg})") from None
        if not isinstance(tasks, list):
            raise AnnotationFileError(f"{where}: a Label Studio JSON export is a list of tasks")
        rows = _ls_rows(tasks, question, where)
    digest = hashlib.sha256(raw).hexdigest()
    for row in rows:
        if row["answer"] is not None and row["answer"] not in answers:
            raise AnnotationFileError(
                f"{where}: item {row['item_id']}: answer {row['answer']!r} is not one of {answers}"
            )
        row.update(
            queue=queue,
            source_file=path.name,
            source_sha256=digest,
            annotation_key=annotation_key(queue, row),
        )
    return rows


def annotation_key(queue: str, row: dict) -> str:
    """Identity of one version of one annotation: re-reading the same file gives the same keys."""
    parts = [queue, row["annotation_id"], str(row["updated_at"]), str(row["answer"]), str(row["cancelled"])]
    return xxhash.xxh3_128_hexdigest("\0".join(parts).encode())


LABELS_FOLDER = "_labels"


def labels_dir(landing: Path, queue: str) -> Path:
    """Where a queue's annotation files land: `<landing>/_labels/<queue>/` (`maslow label pull` too)."""
    return landing / LABELS_FOLDER / queue


def labels_tag(queue: str, version: int) -> str:
    """The Lance tag of label version `version` of a queue in `human_labels`."""
    return f"labels-{queue}-v{version}"


def label_files(folder: Path) -> list[Path]:
    """The annotation files of a queue's landing folder (`<landing>/_labels/<queue>/`), sorted."""
    if not folder.is_dir():
        return []
    return sorted(
        p for p in folder.iterdir() if p.is_file() and p.suffix in SUFFIXES and not p.name.startswith(".")
    )


def new_rows(rows: list[dict], known: set[str], version: int, now: datetime) -> pa.Table:
    """Rows whose key is not in `known` (deduplicated within the batch too), stamped with `version`."""
    fresh, seen = [], set(known)
    for row in rows:
        if row["annotation_key"] not in seen:
            seen.add(row["annotation_key"])
            fresh.append({**row, "labels_version": version, "imported_at": now})
    return pa.Table.from_pylist(fresh, schema=LABEL_SCHEMA)
