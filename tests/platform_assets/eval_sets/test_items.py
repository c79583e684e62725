"""Item validation: each bad item is quarantined with its line and reason; good items are normalised."""

import json

import pytest

from platform_assets.eval_sets import catalog
from platform_assets.eval_sets.items import build_items


def test_bad_items_are_quarantined_with_reasons(eval_specs):
    items, errors = build_items(catalog.load_spec(catalog.catalog_dir() / "quiz.yaml"))
    assert items.select(["item_id", "answer", "answer_index", "source_line"]).to_pylist() == [
        {"item_id": "q1", "answer": "a sextant", "answer_index": 1, "source_line": 1},
        {"item_id": "q2", "answer": "green", "answer_index": 2, "source_line": 2}]
    assert errors.select(["source_line", "item_id", "reason"]).to_pylist() == [
        {"source_line": 3, "item_id": None, "reason": "malformed_record"},
        {"source_line": 4, "item_id": None, "reason": "missing_id"},
        {"source_line": 5, "item_id": "q1", "reason": "duplicate_id"},
        {"source_line": 6, "item_id": "q4", "reason": "bad_choices"},
        {"source_line": 7, "item_id": "q5", "reason": "answer_not_in_choices"},
        {"source_line": 8, "item_id": "q6", "reason": "missing_question"}]
    assert errors["record"][0].as_py() == "invalid JSON: Expecting property name enclosed in double quotes " \
        "at column 2"


def test_math_answers_must_be_numbers(eval_specs):
    items, errors = build_items(catalog.load_spec(catalog.catalog_dir() / "sums.yaml"))
    assert items.select(["item_id", "answer", "source_line"]).to_pylist() == [
        {"item_id": "s1", "answer": "84", "source_line": 2}]
    assert errors.select(["source_line", "item_id", "reason", "detail"]).to_pylist() == [
        {"source_line": 3, "item_id": "s2", "reason": "non_numeric_answer",
         "detail": "answer 'twenty-four' is not a number"}]


ARC_LINES = [  # ARC-style keys: "1".."4" name the choices counting from 1; a JSON number works the same
    {"id": "a1", "q": "Which is first?", "opts": ["w", "x", "y", "z"], "key": "1"},
    {"id": "a2", "q": "Which is third?", "opts": ["w", "x", "y", "z"], "key": "3"},
    {"id": "a3", "q": "Which is fourth?", "opts": ["w", "x", "y", "z"], "key": 4},
    {"id": "a4", "q": "Which is a letter key?", "opts": ["w", "x", "y", "z"], "key": "B"},
    {"id": "a5", "q": "Which is zero?", "opts": ["w", "x", "y", "z"], "key": "0"},
]
ARC = """task: multiple_choice
file: arc.jsonl
split: test
fields: {id: id, question: q, choices: opts, answer: key}
"""


def arc_spec(tmp_path, extra=""):
    (tmp_path / "arc.jsonl").write_text("".join(json.dumps(r) + "\n" for r in ARC_LINES))
    (tmp_path / "arc.yaml").write_text(ARC + extra)
    return catalog.load_spec(tmp_path / "arc.yaml")


@pytest.mark.parametrize(("base", "indices", "out_of_range"), [
    (1, {"a1": 0, "a2": 2, "a3": 3, "a4": 1}, ["a5"]),
    (0, {"a1": 1, "a2": 3, "a4": 1, "a5": 0}, ["a3"]),
])
def test_numeric_answers_count_from_answer_base(tmp_path, base, indices, out_of_range):
    items, errors = build_items(arc_spec(tmp_path, f"answer_base: {base}\n"))
    assert dict(zip(items["item_id"].to_pylist(), items["answer_index"].to_pylist(), strict=True)) == indices
    assert errors.select(["item_id", "reason"]).to_pylist() == [
        {"item_id": i, "reason": "answer_not_in_choices"} for i in out_of_range]


def test_numeric_answers_without_answer_base_name_the_file_and_field(tmp_path):
    spec = arc_spec(tmp_path)
    with pytest.raises(catalog.CatalogError) as err:
        build_items(spec)
    assert str(err.value).startswith(f"{tmp_path / 'arc.yaml'}:1: answer_base: answer '1' is a number")


def test_letter_and_text_answers_need_no_answer_base(tmp_path):
    (tmp_path / "arc.jsonl").write_text("".join(json.dumps(r) + "\n" for r in ARC_LINES[3:4]) + json.dumps(
        {"id": "t1", "q": "Which is y?", "opts": ["w", "x", "y", "z"], "key": "y"}) + "\n")
    (tmp_path / "arc.yaml").write_text(ARC)
    items, _ = build_items(catalog.load_spec(tmp_path / "arc.yaml"))
    assert items.select(["item_id", "answer_index"]).to_pylist() == [
        {"item_id": "a4", "answer_index": 1}, {"item_id": "t1", "answer_index": 2}]
