"""Breakdowns are Dagster tables, not flat keys (platform_assets/metadata_tables.py), and `maslow demo`
still reads its funnel lines from them."""

import dagster as dg

from platform_assets.clean.clean_documents import funnel_tables
from platform_assets.cli.demo import _funnel, _media_funnel
from platform_assets.metadata_tables import counts, fold, records


def test_fold_turns_prefixed_counts_into_one_table_largest_first():
    meta = fold({"raw_rows": 10, "dropped/short": 2, "dropped/exact_duplicate": 5, "dropped_x": 1},
                "dropped", "dropped_by_reason", "reason")
    assert set(meta) == {"raw_rows", "dropped_x", "dropped_by_reason"}
    table = meta["dropped_by_reason"]
    assert [c.name for c in table.schema.columns] == ["reason", "rows"]
    assert [r.data for r in table.records] == [{"reason": "exact_duplicate", "rows": 5},
                                               {"reason": "short", "rows": 2}]
    assert records(table) == {"exact_duplicate": 5, "short": 2}
    assert fold({"a": 1}, "dropped", "dropped_by_reason", "reason") == {"a": 1}  # no table when none


def test_the_demo_funnel_reads_the_tables():
    stage = {"raw_rows": 9, "clean_rows": 6, "clean_rows/prose": 4, "clean_rows/code": 2, "rejected_rows": 3,
             "dropped/short": 1, "dropped/exact_duplicate": 2, "dedup_rate": 0.25, "tokens_kept": 120,
             "pii/emails": 1, "pii/phones": 0, "pii/ips": 0, "lines_removed": 4}
    clean = dg.AssetMaterialization("clean_documents", partition="2026-01-02", metadata=funnel_tables(stage))
    bad = dg.AssetMaterialization("quarantined_records", partition="2026-01-02", metadata={"quarantined": 2})
    lines = _funnel({"clean_documents": [clean], "quarantined_records": [bad]})
    assert lines[0].startswith("  2026-01-02: 9 raw (+2 quarantined) → 6 kept, 3 dropped; dedup rate 25.0%")
    assert lines[1] == "      drops: exact_duplicate 2, short 1"
    assert lines[2] == "      kept by domain: code 2, prose 4; C4 line edits removed 4 lines"

    media = dg.AssetMaterialization("clean_media", partition="2026-01-02", metadata={
        "raw_rows": 5, "clean_rows": 3, "rejected_rows": 2,
        "clean_rows_by_modality": counts({"image": 3}, "m"),
        "dropped_by_reason": counts({"dedup/near_duplicate": 2}, "stage/reason")})
    quarantined = dg.AssetMaterialization("quarantined_media", partition="2026-01-02", metadata={
        "quarantined_per_kind": counts({"truncated_media": 1}, "error_kind", "records")})
    lines = _media_funnel({"clean_media": [media], "quarantined_media": [quarantined]}, "/nonexistent", None)
    assert lines == ["  2026-01-02: 5 raw (+1 quarantined: truncated_media 1) → 3 kept (image 3), 2 dropped",
                     "      drops: dedup/near_duplicate 2"]
