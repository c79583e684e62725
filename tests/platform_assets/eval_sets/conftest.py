"""A small eval-set catalog of our own (MASLOW_SPECS), with good and bad items, and the assets reloaded."""

import importlib
import json

import pytest

QUIZ_LINES = [
    {"id": "q1", "q": "Which instrument did the lighthouse keeper use to measure the height of the storm "
                      "waves that struck the northern cliffs every winter?", "opts": ["a ruler", "a sextant"],
     "gold": "B"},
    {"id": "q2", "q": "What colour were the shutters of the old bakery on the corner of the market square "
                      "before the great fire of the spring festival?", "opts": ["red", "blue", "green"],
     "gold": 2},
    "{not json",
    {"q": "no id here", "opts": ["x", "y"], "gold": 0},
    {"id": "q1", "q": "a duplicate id", "opts": ["x", "y"], "gold": 0},
    {"id": "q4", "q": "one choice only", "opts": ["x"], "gold": 0},
    {"id": "q5", "q": "answer out of range", "opts": ["x", "y"], "gold": "D"},
    {"id": "q6", "q": "", "opts": ["x", "y"], "gold": 0},
]
QUIZ = """task: multiple_choice
file: data/quiz.jsonl
split: test
fields: {id: id, question: q, choices: opts, answer: gold}
answer_base: 0
canary: "QUIZ CANARY 5e0c-77ab-0123"
"""
SUMS_CSV = (
    "pid,text,ans\n"
    "s1,A farmer has 12 fields and plants 7 rows of beans in each field every spring before the rains "
    "come to the valley. How many rows does he plant?,84\n"
    "s2,How many legs do three spiders have?,twenty-four\n"
)
SUMS = """task: math
file: data/sums.csv
split: test
fields: {id: pid, question: text, answer: ans}
"""


@pytest.fixture
def eval_specs(tmp_path, monkeypatch, maslow_home):
    """Points MASLOW_SPECS at a catalog with `quiz` (MC, jsonl) and `sums` (math, csv); reloads eval_items."""
    from platform_assets.eval_sets import eval_items

    root = tmp_path / "specs"
    (root / "eval_sets" / "data").mkdir(parents=True)
    (root / "eval_sets" / "quiz.yaml").write_text(QUIZ)
    (root / "eval_sets" / "sums.yaml").write_text(SUMS)
    (root / "eval_sets" / "data" / "quiz.jsonl").write_text(
        "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in QUIZ_LINES))
    (root / "eval_sets" / "data" / "sums.csv").write_text(SUMS_CSV)
    monkeypatch.setenv("MASLOW_SPECS", str(root))
    yield importlib.reload(eval_items)
    monkeypatch.delenv("MASLOW_SPECS")
    importlib.reload(eval_items)
