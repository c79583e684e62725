"""Item validation: each bad item is quarantined with its line and reason; good items are normalised."""

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
