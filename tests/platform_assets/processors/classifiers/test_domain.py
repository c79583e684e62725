"""domain_v1 and the clean stage's detector: one detector, accurate per kind on demo-like documents."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pyarrow as pa
import pytest

from platform_assets.cli.demo_data import build_corpus
from platform_assets.processors.classifiers import registry, stack, synthetic_web
from platform_assets.processors.domain import detect_domains
from platform_assets.processors.features import TextBatch

KINDS = ("prose", "code", "math", "dialog")


@pytest.fixture(scope="module")
def labelled() -> pa.RecordBatch:
    """Documents of the four kinds from the demo generators and the synthetic web mix, with their kind."""
    corpus = build_corpus(["2026-01-01", "2026-01-02"], seed=3, docs_per_day=400)
    rows = [{"text": d.text, "kind": d.kind} for docs in corpus.docs.values() for d in docs]
    web = synthetic_web.documents(600, seed=4, mean_chars=1500).to_pylist()
    rows += [{"text": r["text"], "kind": r["domain"]} for r in web if r["kind"] in KINDS]
    return pa.RecordBatch.from_pylist([r for r in rows if r["kind"] in KINDS])


def _accuracy(kinds: list[str], labels: list[str]) -> dict[str, float]:
    total, right = Counter(kinds), Counter(k for k, got in zip(kinds, labels, strict=True) if k == got)
    return {k: right[k] / total[k] for k in KINDS}


def test_each_kind_is_recognised_by_the_classifier_and_the_clean_stage(labelled):
    kinds = labelled.column("kind").to_pylist()
    assert min(Counter(kinds).values()) >= 60
    labels = registry.build("domain_v1").apply(labelled)["label__domain_v1"].to_pylist()
    detected = detect_domains(TextBatch(labelled.column("text"))).tolist()
    assert labels == detected  # one detector
    accuracy = _accuracy(kinds, labels)
    assert all(share >= 0.9 for share in accuracy.values()), accuracy


def test_difficulty_features_agree_with_the_label(labelled):
    # an upstream `domain` column that disagrees with the text must not decide which features run
    batch = labelled.append_column("domain", pa.array(["prose"] * labelled.num_rows))
    out = stack.classify_batch(batch, stack.build_stack(stack.DEFAULT_CLASSIFIERS[1:]), keys=())
    labels = np.array(out.column("label__domain_v1").to_pylist())
    has_math = out.column("difficulty_math_v1__steps").is_valid().to_numpy(zero_copy_only=False)
    has_code = out.column("difficulty_code_v1__language").is_valid().to_numpy(zero_copy_only=False)
    assert (has_math == (labels == "math")).all() and has_math.any()
    assert not (has_code & (labels != "code")).any() and has_code.sum() >= 0.9 * (labels == "code").sum()


def test_each_difficulty_classifier_alone_runs_the_same_detector(labelled):
    batch = labelled.slice(0, 300)
    alone = registry.build("difficulty_math_v1").apply(batch)["difficulty_math_v1__steps"].is_valid()
    labels = registry.build("domain_v1").apply(batch)["label__domain_v1"].to_pylist()
    assert alone.to_pylist() == [label == "math" for label in labels]


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Question: A train keeps 80 km/h for 2 h 15 min. How far does it go?\n\nWorked answer:\n"
         "Time: 2 + 15/60 = 2.25 h.\nDistance: 80 × 2.25 = 180 km.\n\nFinal answer: 180", "math"),
        ("Problem: A box holds 46 pencils shared by 5 pupils.\nSolution:\n46 ÷ 5 = 9 remainder 1.\n"
         "Answer: 9", "math"),
        ("User: Is it safe to prune roses in autumn?\nAssistant: Yes, a light trim is fine, but leave the "
         "hard pruning for late winter.", "dialog"),
        ("Maria: Did you book the hall for Friday evening?\nTom: Not yet, the office was closed today.\n"
         "Maria: Then I will call them in the morning.", "dialog"),
        ("Title: The Long Winter\nAuthor: Laura Ingalls Wilder\nPublisher: Harper and Brothers\n"
         "Genre: Historical fiction for children", "other"),
        ("Note: the museum is closed on Mondays. The history of the town goes back to the twelfth century, "
         "when a small group of farmers settled near the river and built a mill and a church.", "prose"),
    ],
)
def test_label_lines_are_not_speakers_and_turns_must_alternate(text, label):
    assert detect_domains(TextBatch.from_texts([text])).tolist() == [label]


def test_difficulty_code_in_the_stack_equals_it_alone(labelled):
    # in the stack it reads the syntax vote from `domain_v1__code_language` instead of counting again
    batch = labelled.slice(0, 300)
    alone = registry.build("difficulty_code_v1").apply(batch)
    out = stack.classify_batch(batch, stack.build_stack(["domain_v1", "difficulty_code_v1"]), keys=())
    assert pa.Table.from_pydict(alone).equals(pa.Table.from_batches([out]).select(list(alone)))
    assert pa.array(alone["difficulty_code_v1__language"]).drop_null().to_pylist()
