"""Demo planter: puts the sample eval sets into demo documents and records where, so the demo can show that
decontamination finds every one.

`plant_eval_items(corpus)` is a planter for `platform_assets.cli.demo_data` (append it to planters.PLANTERS).
Per day it edits unused documents:
  - a whole multiple-choice or math item (its indexed text, on one line) inside a web article: more than
    10 matching 13-grams, so the document is dropped;
  - a whole code item (prompt, solution, tests) inside a code file: dropped;
  - a fragment of 14-16 consecutive question words in the middle of a long web article, at least
    window + min_piece characters from either end: a few matches, so the document is cut;
  - on every other day, an eval set's canary string in a web article: dropped;
  - a training math problem whose question is swapped for an eval math question (its own worked steps and
    answer kept, so it still reads as a task): dropped, and a synthetic pair seeded from it is dropped by
    the synthetics contamination gate with the item named.
Truth entries go under "eval_contamination": `{"doc", "kind": "eval_item"|"eval_fragment"|"eval_canary"|
"eval_math_question", "eval_set", "item_id", "expect_action"}`.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pyarrow as pa

from platform_assets.eval_sets import catalog
from platform_assets.eval_sets.items import build_items
from platform_assets.processors.decontam import PRESETS

TRUTH_KEY = "eval_contamination"
_LM = PRESETS["lm_eval"]
_MARGIN = _LM.window + _LM.min_piece + 50  # clean characters a fragment needs on each side to be cut
_WHOLE_WORDS = _LM.n + _LM.max_matches + 8  # words of an item that surely give more than 10 matches


@functools.cache
def sample_items(folder: Path | None = None) -> tuple[tuple[dict, ...], tuple[tuple[str, str], ...]]:
    """(valid items, (eval_set, canary) pairs) of the catalog."""
    rows, canaries = [], []
    for spec in catalog.load_catalog(folder).values():
        rows += build_items(spec)[0].to_pylist()
        if spec.canary:
            canaries.append((spec.name, spec.canary))
    return tuple(rows), tuple(canaries)


def _insert(text: str, snippet: str, at: int) -> str:
    at = text.rfind(" ", 0, at) + 1 or at  # on a word boundary
    return f"{text[:at]}{snippet} {text[at:]}"


def plant_eval_items(corpus, folder: Path | None = None) -> None:
    """Plants whole items, fragments and canaries of the catalog into `corpus` (a demo_data Corpus)."""
    items, canaries = sample_items(folder)
    whole = [i for i in items if len(i["index_text"].split()) >= _WHOLE_WORDS]
    questions = [i for i in items if len(i["question"].split()) >= 16 and i["task"] != "code"]
    for n, day in enumerate(corpus.days):
        rng = corpus.rng(TRUTH_KEY, day)
        for source, kinds, pool in (("web", ("prose",), [i for i in whole if i["task"] != "code"]),
                                    ("code", ("code",), [i for i in whole if i["task"] == "code"])):
            doc = corpus.pick(rng, source, day, kinds) if pool else None
            if doc is not None:
                item = rng.choice(pool)
                snippet = item["index_text"] if source == "code" else " ".join(item["index_text"].split())
                doc.text = _insert(doc.text, "\n" + snippet + "\n", rng.randint(0, len(doc.text)))
                _record(corpus, doc, "eval_item", item["eval_set"], item["item_id"], "drop")
        doc = corpus.pick(rng, "web", day, where=lambda d: len(d.text) >= 2 * _MARGIN + 100)
        if questions and doc is not None:
            item = rng.choice(questions)
            words = item["question"].split()
            size = rng.randint(14, 16)
            start = rng.randint(0, len(words) - size)
            fragment = " ".join(words[start : start + size])
            doc.text = _insert(doc.text, fragment, rng.randint(_MARGIN, len(doc.text) - _MARGIN))
            _record(corpus, doc, "eval_fragment", item["eval_set"], item["item_id"], "cut")
        _plant_math_question(corpus, rng, day, [i for i in questions if i["task"] == "math"
                                                 and len(i["question"].split()) >= _WHOLE_WORDS])
        doc = corpus.pick(rng, "web", day) if canaries and n % 2 == 0 else None
        if doc is not None:
            eval_set, canary = canaries[(n // 2) % len(canaries)]
            doc.text = _insert(doc.text, canary, rng.randint(0, len(doc.text)))
            _record(corpus, doc, "eval_canary", eval_set, None, "drop")


def _plant_math_question(corpus, rng, day: str, pool: list[dict]) -> None:
    """A math-source problem that asks an eval question (whole, so more than 10 matches: dropped)."""
    doc = corpus.pick(rng, "math", day, ("math",), where=lambda d: "\n\n" in d.text) if pool else None
    if doc is None:
        return
    item = rng.choice(pool)
    head, rest = doc.text.split("\n\n", 1)
    label = head.split(" ", 1)[0]
    doc.text = f"{label} {' '.join(item['question'].split())}\n\n{rest}"
    _record(corpus, doc, "eval_math_question", item["eval_set"], item["item_id"], "drop")


def _record(corpus, doc, kind: str, eval_set: str, item_id: str | None, action: str) -> None:
    corpus.record(TRUTH_KEY, {"doc": doc, "kind": kind, "eval_set": eval_set, "item_id": item_id,
                              "expect_action": action})


def missing_plants(truth: list[dict], contamination: pa.Table) -> list[dict]:
    """Truth-file entries (`doc` is its ref dict) not found in `contamination` with the expected action."""
    cols = ["doc_id", "eval_set", "item_id", "action"]
    found = {(r["doc_id"], r["eval_set"], r["item_id"]): r["action"]
             for r in contamination.select(cols).to_pylist()}
    return [t for t in truth
            if found.get((t["doc"]["doc_id"], t["eval_set"], t["item_id"])) != t["expect_action"]]
