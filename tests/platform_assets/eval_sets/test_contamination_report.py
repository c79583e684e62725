"""The contamination report's rows: shares per (eval set, day) and total, and the preset of each day."""

import pyarrow as pa

from platform_assets.eval_sets.contamination import CONTAMINATION_SCHEMA
from platform_assets.eval_sets.contamination_report import build_report, summary_lines

ROWS = [  # day 1 checked with lm_eval, day 2 re-checked with datatrove
    {"doc_id": "d1", "day": "2026-01-01", "eval_set": "quiz", "item_id": "q1", "action": "cut",
     "preset": "lm_eval"},
    {"doc_id": "d2", "day": "2026-01-01", "eval_set": "quiz", "item_id": None, "action": "drop",
     "preset": "lm_eval"},
    {"doc_id": "d3", "day": "2026-01-02", "eval_set": "quiz", "item_id": "q1", "action": "drop",
     "preset": "datatrove"},
    {"doc_id": "d3", "day": "2026-01-02", "eval_set": "quiz", "item_id": "q2", "action": "drop",
     "preset": "datatrove"},
]


def test_report_rows_carry_the_preset_of_their_day():
    report = build_report(pa.Table.from_pylist(ROWS, CONTAMINATION_SCHEMA), {"quiz": 4, "sums": 2})
    got = [(r["eval_set"], r["day"], r["contaminated_items"], r["share"], r["docs_dropped"], r["docs_cut"],
            r["canary_docs"], r["preset"]) for r in report.to_pylist()]
    assert got == [("quiz", "2026-01-01", 1, 0.25, 1, 1, 1, "lm_eval"),
                   ("quiz", "2026-01-02", 2, 0.5, 1, 0, 0, "datatrove"),
                   ("quiz", "total", 2, 0.5, 2, 1, 1, "datatrove,lm_eval"),
                   ("sums", "total", 0, 0.0, 0, 0, 0, "datatrove,lm_eval")]
    assert summary_lines(report)[1] == ("sums: 0/2 items contaminated (0.0%), 0 docs dropped, 0 cut, "
                                        "0 canary hits [datatrove,lm_eval]")


def test_an_empty_contamination_table_reports_no_preset():
    report = build_report(CONTAMINATION_SCHEMA.empty_table(), {"quiz": 4})
    assert report.select(["eval_set", "day", "share", "preset"]).to_pylist() == [
        {"eval_set": "quiz", "day": "total", "share": 0.0, "preset": ""}]
