"""Planters: each plants one kind of known item into the corpus and records it in the truth file.

PLANTERS is the extension point. A planter is `Callable[[Corpus], None]` (see corpus.py); it runs after
the ones before it and only touches documents they left unused. To plant something new (e.g. eval-item
fragments for decontamination tests), write `plant_<what>(corpus)` and add it to PLANTERS; its truth
entries appear under the key it passes to `corpus.record`.
"""

from __future__ import annotations

from collections.abc import Callable

import orjson

from platform_assets.cli.demo_data import foreign, pii
from platform_assets.cli.demo_data.code import JUNK_KINDS, junk
from platform_assets.cli.demo_data.corpus import Broken, Corpus, Doc
from platform_assets.cli.demo_data.eval_plants import plant_eval_items
from platform_assets.cli.demo_data.lowquality import DEFECTS
from platform_assets.cli.demo_data.similarity import near_copy

Planter = Callable[[Corpus], None]
TRUNCATED_DOCS = 24  # records written to the truncated gzip file (its tail is cut off)


def plant_non_english(corpus: Corpus) -> None:
    for day in corpus.days:
        rng = corpus.rng("non_english", day)
        for lang in foreign.LANGUAGES:
            for n in range(corpus.scale):
                url = f"https://www.voyages.example.com/{lang}/{day}/{n}"
                doc = corpus.new_doc("web", day, foreign.article(rng, lang), "foreign", url=url)
                corpus.add(rng, doc)
                corpus.record("non_english", {"doc": doc, "lang": lang})


def plant_low_quality(corpus: Corpus) -> None:
    for day in corpus.days:
        rng, prose = corpus.rng("low_quality", day), corpus.prose("low_quality", day)
        for defect, (make, trips) in DEFECTS.items():
            for _ in range(corpus.scale):
                doc = corpus.add(rng, corpus.new_doc("web", day, make(rng, prose), "low_quality"))
                corpus.record("low_quality", {"doc": doc, "defect": defect, "trips": list(trips)})


def plant_code_junk(corpus: Corpus) -> None:
    for day in corpus.days:
        rng = corpus.rng("code_junk", day)
        for kind in JUNK_KINDS:
            for _ in range(corpus.scale):
                language = "javascript" if kind == "minified" else "python"
                meta = {"language": language, "path": f"gen/{kind}.{language[:2]}", "license": "mit"}
                doc = corpus.add(rng, corpus.new_doc("code", day, junk(rng, kind), "code_junk", meta=meta))
                corpus.record("code_junk", {"doc": doc, "junk": kind})


def _append_to_paragraph(rng, text: str, sentence: str) -> tuple[str, int]:
    """`text` with `sentence` added to a random paragraph after the first; the sentence's offset."""
    paras = text.split("\n\n")
    i = rng.randint(1, len(paras) - 1) if len(paras) > 1 else 0
    paras[i] += " " + sentence
    start = sum(len(p) + 2 for p in paras[:i]) + len(paras[i]) - len(sentence)
    return "\n\n".join(paras), start


def plant_pii(corpus: Corpus) -> None:
    """Emails, phones, public IPs in prose and dialogs (exact strings, offsets); private IPs as decoys."""
    for day in corpus.days:
        rng = corpus.rng("pii", day)
        for kind in pii.KINDS:
            for n in range(2 * corpus.scale):
                doc = corpus.pick(rng, ("web", "dialog", "crawl")[n % 3], day, ("prose", "dialog"))
                if doc is not None:
                    value, sentence = pii.carrier(rng, kind)
                    doc.text, start = _append_to_paragraph(rng, doc.text, sentence)
                    start += sentence.index(value)
                    corpus.record("pii", {"doc": doc, "kind": kind, "value": value, "start": start,
                                          "end": start + len(value)})
        doc = corpus.pick(rng, "web", day)
        if doc is not None:
            value = pii.private_ipv4(rng)
            doc.text, _ = _append_to_paragraph(rng, doc.text, f"The router at {value} needed a restart.")
            corpus.record("pii_decoys", {"doc": doc, "kind": "private_ipv4", "value": value})


def _copy(corpus: Corpus, rng, original: Doc | None, source: str, day: str, kind: str) -> None:
    if original is not None:
        copy = corpus.add(rng, corpus.copy_of(original, source, day))
        corpus.record("exact_duplicates", {"kind": kind, "original": original, "copies": [copy]})


def plant_exact_duplicates(corpus: Corpus) -> None:
    """Verbatim copies under new ids: within a day, across days, across sources, and a forked code file."""
    for i, day in enumerate(corpus.days):
        rng = corpus.rng("exact_duplicates", day)
        for _ in range(2 * corpus.scale):
            _copy(corpus, rng, corpus.pick(rng, "web", day), "web", day, "within_day")
        for _ in range(corpus.scale if i else 0):
            _copy(corpus, rng, corpus.pick(rng, "web", corpus.days[i - 1]), "web", day, "cross_day")
        for _ in range(corpus.scale):
            _copy(corpus, rng, corpus.pick(rng, "web", day), "crawl", day, "cross_source")
            _copy(corpus, rng, corpus.pick(rng, "code", day, ("code",)), "code", day, "within_day")


def plant_near_duplicates(corpus: Corpus) -> None:
    """Edited copies with a known word 5-gram Jaccard: above 0.8 (should merge) and below 0.5 (must not)."""
    long_enough = lambda d: d.text.count(" ") >= 250  # noqa: E731 - a short text cannot hit a band
    for i, day in enumerate(corpus.days):
        rng = corpus.rng("near_duplicates", day)
        plans = [("high", day, "within_day")] * (2 * corpus.scale)
        plans += [("low", day, "within_day")] * corpus.scale
        plans += [("high", corpus.days[i - 1], "cross_day")] * (corpus.scale if i else 0)
        for band, from_day, kind in plans:
            original = corpus.pick(rng, "web", from_day, where=long_enough)
            if original is not None:
                text, score = near_copy(rng, original.text, band)
                copy = corpus.add(rng, corpus.copy_of(original, "web", day, text))
                corpus.record("near_duplicates", {"a": original, "b": copy, "jaccard": score, "band": band,
                                                  "kind": kind})


def plant_broken_records(corpus: Corpus) -> None:
    """Records ingestion must quarantine, one per kind and source format, plus one truncated gzip file."""
    for day in corpus.days:
        conv = orjson.dumps({"conversation_id": f"conv-{day}-broken", "attributes": {}})
        row = {"id": f"code-{day}-broken", "text": None, "url": None, "meta": None}
        for source, kind, payload, field in (
            ("crawl", "bad_json", b'{"text": "The article stops here, "url": ', None),
            ("crawl", "invalid_utf8", b'{"text": "Caf\xe9 au lait \xff\xfe is on the menu."}', "text"),
            ("crawl", "not_an_object", b'["a", "list", "instead", "of", "an", "object"]', None),
            ("dialog", "missing_text", conv, "transcript"),
            ("math", "bad_json", b'{"id": 42, "text": "Problem: What is 6 times 7?",}', None),
            ("code", "missing_text", row, "text"),
        ):
            broken = Broken(source, day, kind, payload, field)
            corpus.broken.append(broken)
            corpus.record("broken_records", {"record": broken})
    if corpus.days:
        day = corpus.days[0]
        prose = corpus.prose("truncated", day)
        docs = [corpus.new_doc("web", day, prose.article(), "prose") for _ in range(TRUNCATED_DOCS)]
        corpus.truncated.append(("web", day, docs))


PLANTERS: list[Planter] = [
    plant_non_english,
    plant_low_quality,
    plant_code_junk,
    plant_pii,
    plant_exact_duplicates,
    plant_near_duplicates,
    plant_broken_records,
    plant_eval_items,
]
