"""The demo's simulated annotators: deterministic, named as simulated, judging the text by their rubric."""

from __future__ import annotations

import json

from platform_assets.cli.demo_data import annotators
from platform_assets.cli.demo_data.prose import Prose, sentence_bank
from platform_assets.cli.demo_data.rng import derive
from platform_assets.processors.classifiers import synthetic_web

ARTICLE = Prose(derive(1, "t"), sentence_bank(1)).article()
SPAM = synthetic_web.spam(__import__("random").Random(2), 600)


def tasks(n: int = 40) -> list[dict]:
    texts = [ARTICLE if i % 2 else SPAM for i in range(n)]
    return [
        {
            "item_id": f"d{i}",
            "task_id": f"t{i}",
            "text": t,
            "overlap_group": i if i < 10 else None,
            "suggestion_label": "high",
            "suggestion_score": 0.9,
            "model_version": "m",
        }
        for i, t in enumerate(texts)
    ]


def test_rubric_tells_an_article_from_spam():
    assert annotators.rubric(ARTICLE) >= 4 and annotators.rubric(SPAM) <= 2


def test_files_are_deterministic_and_simulated(tmp_path):
    first = [p.read_text() for p in annotators.annotate(tasks(), tmp_path / "a", "2026-12-01T00:00:00+00:00")]
    again = [p.read_text() for p in annotators.annotate(tasks(), tmp_path / "b", "2026-12-01T00:00:00+00:00")]
    assert first == again
    a, b = ([json.loads(x) for x in text.splitlines()] for text in first)
    assert len(a) == 40 and len(b) == 10  # b answers the overlap tasks only
    assert {x["annotator"] for x in a + b} == {"simulated-annotator-a", "simulated-annotator-b"}
    spam_lows = sum(x["answer"] == "low" for x in a if x["item_id"] in {f"d{i}" for i in range(0, 40, 2)})
    assert spam_lows >= 17  # a reads the text: spam is low despite the "high" suggestion (a few flips)
