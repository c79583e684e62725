"""Eval items from a catalog spec: map fields, validate per task, and quarantine bad items with a reason.

Reason codes: malformed_record, missing_id, duplicate_id, missing_field, missing_question, bad_choices,
answer_not_in_choices, non_numeric_answer, missing_tests. A numeric multiple-choice answer in a set
without `answer_base` is not an item problem but the spec's: `build_items` raises CatalogError.
"""

from __future__ import annotations

import json
import string

import pyarrow as pa

from platform_assets.eval_sets.catalog import CatalogError, EvalSetSpec, read_records

ITEM_SCHEMA = pa.schema([
    ("eval_set", pa.string()), ("item_id", pa.string()), ("split", pa.string()), ("task", pa.string()),
    ("question", pa.string()), ("context", pa.string()), ("choices", pa.list_(pa.string())),
    ("answer", pa.string()), ("answer_index", pa.int32()), ("tests", pa.string()), ("canary", pa.string()),
    ("index_text", pa.string()), ("source_line", pa.int32()),
])
ERROR_SCHEMA = pa.schema([
    ("eval_set", pa.string()), ("source_line", pa.int32()), ("item_id", pa.string()), ("reason", pa.string()),
    ("detail", pa.string()), ("record", pa.string()),
])


class ItemError(ValueError):
    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason = reason


def _text(record: dict, column: str | None, field: str, required: bool) -> str | None:
    if column is None:
        return None
    if column not in record or record[column] is None or record[column] == "":
        if required:
            raise ItemError("missing_question" if field == "question" else "missing_field",
                            f"field {field!r} (column {column!r}) is missing or empty")
        return None
    value = record[column]
    if isinstance(value, list) and field == "tests":
        value = "\n".join(map(str, value))
    return str(value)


def _choices(value: object) -> list[str]:
    if isinstance(value, str) and value.lstrip().startswith("["):
        try:
            value = json.loads(value)  # CSV cells hold a JSON array
        except json.JSONDecodeError as e:
            raise ItemError("bad_choices", f"choices is not a JSON array: {e.msg}") from e
    valid = isinstance(value, list) and len(value) >= 2
    if not valid or not all(isinstance(c, str) and c.strip() for c in value):
        raise ItemError("bad_choices", f"choices must be a list of 2+ non-empty strings, not {value!r}")
    return value


def _answer_index(answer: object, choices: list[str], spec: EvalSetSpec) -> int:
    """With `answer_base` set, a number (int or digits) is an index counted from it; otherwise a string is
    the choice text itself, else a letter (A, B, ...), and a number is an error of the spec."""
    key = answer.strip().upper() if isinstance(answer, str) else None
    number = int(key) if key and key.isdecimal() else answer
    if not isinstance(number, int) or isinstance(number, bool):
        number = None
    if number is not None and spec.answer_base is not None:
        idx = number - spec.answer_base
    elif answer in choices:
        idx = choices.index(answer)
    elif key and len(key) == 1 and key in string.ascii_uppercase:
        idx = string.ascii_uppercase.index(key)
    elif number is not None:
        raise CatalogError.at(spec.spec_path, ("answer_base",), f"answer {answer!r} is a number; set "
                              "answer_base to 0 or 1 to say which number the first choice has")
    else:
        idx = -1
    if not 0 <= idx < len(choices):
        raise ItemError("answer_not_in_choices", f"answer {answer!r} is not one of {len(choices)} choices")
    return idx


def _number(answer: str) -> str:
    try:
        float(answer.replace(",", "").strip())
    except ValueError as e:
        raise ItemError("non_numeric_answer", f"answer {answer!r} is not a number") from e
    return answer.strip()


def to_item(spec: EvalSetSpec, record: dict) -> dict:
    """One validated eval item (a row of ITEM_SCHEMA minus source_line); raises ItemError."""
    f = spec.fields
    item_id = _text(record, f.id, "id", required=False)
    if item_id is None:
        raise ItemError("missing_id", f"field 'id' (column {f.id!r}) is missing or empty")
    question = _text(record, f.question or f.prompt, "question", required=True)
    answer = _text(record, f.answer, "answer", required=spec.task in ("multiple_choice", "math"))
    row = {"eval_set": spec.name, "item_id": item_id, "split": spec.split, "task": spec.task,
           "question": question, "context": _text(record, f.context, "context", required=False),
           "choices": None, "answer": answer, "answer_index": None,
           "tests": _text(record, f.tests, "tests", required=spec.task == "code"), "canary": spec.canary}
    if f.choices is not None:
        row["choices"] = _choices(record.get(f.choices))
    if spec.task == "multiple_choice":
        row["answer_index"] = _answer_index(record.get(f.answer), row["choices"], spec)
        row["answer"] = row["choices"][row["answer_index"]]
    elif spec.task == "math":
        row["answer"] = _number(answer)
    parts = [row[k] if k != "choices" else "\n".join(row[k] or []) for k in spec.index_fields]
    row["index_text"] = "\n".join(p for p in parts if p)
    return row


def build_items(spec: EvalSetSpec) -> tuple[pa.Table, pa.Table]:
    """(valid items, quarantined items with reasons) of one eval set."""
    items, errors, seen = [], [], set()
    for line, record in read_records(spec):
        try:
            if isinstance(record, str):
                raise ItemError("malformed_record", record)
            row = to_item(spec, record)
            if row["item_id"] in seen:
                raise ItemError("duplicate_id", f"item id {row['item_id']!r} already appeared earlier")
            seen.add(row["item_id"])
            items.append({**row, "source_line": line})
        except ItemError as e:
            raw = record if isinstance(record, str) else json.dumps(record, default=str, ensure_ascii=False)
            item_id = record.get(spec.fields.id) if isinstance(record, dict) else None
            errors.append({"eval_set": spec.name, "source_line": line, "reason": e.reason, "detail": str(e),
                           "item_id": None if item_id is None else str(item_id), "record": raw})
    return pa.Table.from_pylist(items, ITEM_SCHEMA), pa.Table.from_pylist(errors, ERROR_SCHEMA)
