"""clean_batch: schemas, every row in exactly one output, reasons per stage, chains by domain, counts."""

import pickle

import pyarrow as pa
import pytest

from platform_assets import settings
from platform_assets.processors.clean_config import FILTERS_FILE
from platform_assets.processors.domain import detect_domains
from platform_assets.processors.features import TextBatch
from platform_assets.processors.filters._samples import CODE, DIALOG, MATH, PROSE, PROSE_LINES
from platform_assets.processors.pipeline import (
    KEPT_SCHEMA,
    REJECTED_SCHEMA,
    CleanConfig,
    CleanResult,
    clean_batch,
    load_clean_config,
)

GERMAN = (
    "Die Geschichte der Stadt reicht bis ins zwölfte Jahrhundert zurück, als Bauern am Fluss lebten. " * 6
)
MINIFIED_JS = "var a = 1; " * 150
SHORT = "This page is too short to be a useful document for training."
CODE_PAGE = "\n\n".join(
    f"def handler_{i}(event, context):\n    value = event.get('key_{i}', {i})\n"
    f"    return value * {i} + len(context)\n"
    for i in range(12)
)


def raw(texts, domains=None):
    n = len(texts)
    return pa.RecordBatch.from_pydict(
        {
            "doc_id": [f"d{i}" for i in range(n)],
            "source": ["s"] * n,
            "source_id": [str(i) for i in range(n)],
            "text": texts,
            "url": [f"https://x.example/{i}" for i in range(n)],
            "meta": [None] * n,
            "domain": domains or [None] * n,
            "file": ["f.jsonl"] * n,
            "line": list(range(1, n + 1)),
            "day": ["2026-01-01"] * n,
        }
    )


@pytest.fixture(scope="module")
def config():
    return load_clean_config(settings.spec_dir() / FILTERS_FILE)


def outcome(result: CleanResult) -> dict:
    kept = {
        d: ("kept", dom)
        for d, dom in zip(result.kept["doc_id"].to_pylist(), result.kept["domain"].to_pylist(), strict=True)
    }
    rejected = result.rejected.to_pydict()
    dropped = {
        d: (s, f, r)
        for d, s, f, r in zip(
            rejected["doc_id"], rejected["stage"], rejected["filter"], rejected["reason"], strict=True
        )
    }
    return {**kept, **dropped}


def test_every_row_lands_once_with_its_reason(config):
    texts = [
        PROSE_LINES + "\nWrite to jane@example.com.",
        CODE * 3,
        MATH,
        DIALOG,
        SHORT,
        " \n ",
        GERMAN,
        PROSE,
        MINIFIED_JS,
    ]
    result = clean_batch(raw(texts), config)
    assert result.kept.schema == KEPT_SCHEMA and result.rejected.schema == REJECTED_SCHEMA
    assert result.kept.num_rows + result.rejected.num_rows == len(texts)
    assert outcome(result) == {
        "d0": ("kept", "prose"),
        "d1": ("kept", "code"),
        "d2": ("kept", "math"),
        "d3": ("kept", "dialog"),
        "d4": ("quality", "gopher_repetition_v1", "top_3_gram"),  # datatrove's too: one 3-gram is 20% of it
        "d5": ("normalize", "normalize_v1", "empty_text"),
        "d6": ("language", "language_id_v1", "language_not_allowed"),
        "d7": ("kept", "prose"),
        "d8": ("quality", "code_line_length_v1", "code_max_line_length"),
    }


def test_kept_columns(config):
    result = clean_batch(raw([PROSE_LINES + "\nWrite to jane@example.com or 8.8.8.8 today."]), config)
    row = result.kept.to_pylist()[0]
    assert row["text"].endswith("Write to <EMAIL> or <IP_ADDRESS> today.")
    assert (row["pii_emails"], row["pii_phones"], row["pii_ips"]) == (1, 0, 1)
    assert row["language"] == "en" and 0.65 <= row["language_score"] <= 1
    assert row["token_count"] > 100 and row["url"] == "https://x.example/0" and row["day"] == "2026-01-01"


def test_rejected_columns(config):
    result = clean_batch(raw(["", GERMAN, SHORT]), config)
    rows = result.rejected.to_pylist()
    assert [r["language"] for r in rows] == [None, "de", "en"]
    assert rows[0]["score"] is None and rows[1]["score"] >= 0.65
    assert rows[2]["reason"] == "top_3_gram" and rows[2]["score"] == pytest.approx(
        len("This page is") / len(SHORT)
    )
    assert rows[2]["text"] == SHORT


def test_code_page_in_a_crawl_is_not_judged_by_prose_rules(config):
    # no source domain: detected as code, so the prose chain (Gopher, C4, FineWeb) never sees it
    result = clean_batch(raw([CODE_PAGE, CODE_PAGE], domains=[None, "prose"]), config)
    assert outcome(result) == {
        "d0": ("kept", "code"),
        "d1": ("quality", "gopher_repetition_v1", "top_4_gram"),
    }


def test_source_domain_wins_over_detection(config):
    result = clean_batch(raw([DIALOG, DIALOG], domains=[None, "dialog"]), config)
    assert outcome(result) == {"d0": ("kept", "dialog"), "d1": ("kept", "dialog")}
    assert outcome(clean_batch(raw([DIALOG], domains=["prose"]), config))["d0"][0] == "quality"


def test_c4_edits_reach_later_filters_and_the_output(config):
    text = PROSE_LINES + "\nShare\nPlease enable JavaScript to see the comments below."
    result = clean_batch(raw([text]), config)
    assert "JavaScript" not in result.kept["text"][0].as_py() and result.counts["lines_removed"] == 2


def test_counts(config):
    result = clean_batch(raw([PROSE, SHORT, "", GERMAN, CODE * 3]), config)
    c = result.counts
    assert (c["input"], c["kept"], c["dropped"]) == (5, 2, 3)
    assert c["gopher_repetition_v1:top_3_gram"] == 1 and c["normalize_v1:empty_text"] == 1
    assert c["language_id_v1:language_not_allowed"] == 1
    assert c["kept_domain_prose"] == 1 and c["kept_domain_code"] == 1
    assert c["tokens_kept"] == sum(result.kept["token_count"].to_pylist())
    assert c["pii_emails"] == c["pii_phones"] == c["pii_ips"] == 0


def test_empty_batch(config):
    result = clean_batch(raw([]), config)
    assert result.kept.schema == KEPT_SCHEMA and result.rejected.schema == REJECTED_SCHEMA
    assert (result.kept.num_rows, result.rejected.num_rows, result.counts["input"]) == (0, 0, 0)


def test_language_threshold_and_allowed_list_are_configurable():
    everyone = CleanConfig(language={"languages": None}, chains={})
    assert clean_batch(raw([GERMAN]), everyone).kept.num_rows == 1
    strict = CleanConfig(language={"min_score": 1.0}, chains={})
    assert clean_batch(raw([PROSE]), strict).rejected["reason"].to_pylist() == ["language_low_score"]


def test_picklable_for_process_pools_and_ray(config):
    fn, cfg = pickle.loads(pickle.dumps((clean_batch, config)))
    assert fn(raw([PROSE]), cfg).kept.num_rows == 1


def test_table_page_in_a_crawl_goes_to_the_other_chain(config):
    table = "Yearly figures\n\n" + "\n".join(
        f"{1990 + i} | {i * 7919 % 99991:,} | {i % 20}.{i % 9}%" for i in range(40)
    )
    assert detect_domains(TextBatch.from_texts([table])).tolist() == ["other"]
    rejected = clean_batch(raw([table]), config).rejected.to_pylist()
    assert [(r["filter"], r["reason"]) for r in rejected] == [
        ("gopher_quality_v1", "gopher_below_alpha_threshold")
    ]
