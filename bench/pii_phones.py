"""Phone redaction on the numbering-plan corpus and on real files that hold no phone numbers.

Recall: every corpus number in every sentence form must come out as exactly `<PHONE>` (extension
included). False positives: the corpus' look-alikes changed, and phone redactions made in the source and
documentation files of the installed packages, leaving out the two packages that carry real numbers on
purpose (`phonenumbers`' examples, `moto`'s fixtures). Writes `$MASLOW_HOME/bench/pii_phones.json`.
"""

from __future__ import annotations

import argparse

import pyarrow as pa

from bench import site_packages
from bench.common import print_table, write_result
from platform_assets.processors.pii import redact_texts
from tests.platform_assets.processors.data.phone_corpus import LOOKALIKES, NUMBERS, TEMPLATES

_WITH_NUMBERS_ON_PURPOSE = ("phonenumbers", "moto")


def corpus_figures() -> dict:
    """Recall per country and overall, and the look-alikes that changed."""
    rows = [
        (country, t.format(number), t.format("<PHONE>")) for country, number in NUMBERS for t in TEMPLATES
    ]
    out = _redact([text for _, text, _ in rows])
    per_country: dict[str, list[int]] = {}
    for (country, _, want), got in zip(rows, out, strict=True):
        per_country.setdefault(country, [0, 0])[got == want] += 1
    kept = _redact(LOOKALIKES)
    changed = [text for text, got in zip(LOOKALIKES, kept, strict=True) if got != text]
    hits = sum(hit for _, hit in per_country.values())
    return {
        "recall": round(hits / len(rows), 4),
        "numbers": len(rows),
        "recall_per_country": {c: round(hit / (hit + miss), 4) for c, (miss, hit) in per_country.items()},
        "lookalikes": len(LOOKALIKES),
        "lookalikes_changed": changed,
    }


def real_figures(limit: int | None) -> dict:
    """Phone redactions in real files that hold no numbers on purpose (false positives or stray numbers)."""
    paths = site_packages.code_files(limit) + site_packages.prose_files()
    paths = [p for p in paths if not any(name in p.parts for name in _WITH_NUMBERS_ON_PURPOSE)]
    texts = [text for _, text in site_packages.texts(paths)]
    _, counts = redact_texts(pa.array(texts, pa.large_string()))
    phones = counts["pii_phones"]
    return {
        "real_files": len(texts),
        "real_phone_redactions": int(phones.sum()),
        "real_files_touched": int((phones > 0).sum()),
    }


def _redact(texts: list[str]) -> list[str]:
    return redact_texts(pa.array(texts, pa.large_string()))[0].to_pylist()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench pii_phones")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    figures = {**corpus_figures(), **real_figures(500 if args.quick else None)}
    print_table(["country", "recall"], sorted(figures["recall_per_country"].items()), title="phone recall")
    print({k: v for k, v in figures.items() if k != "recall_per_country"})
    write_result("pii_phones", figures)
    return 0 if figures["recall"] >= 0.95 and not figures["lookalikes_changed"] else 1
