"""raw_media and clean_media as Dagster assets on the demo's planted media (three days, three formats)."""

from __future__ import annotations

import dagster as dg
import pyarrow as pa
import pytest

from platform_assets.cli.demo_data.media_truth import near_dup_scores, outcome_mismatches
from resources.lance_io_manager import LanceIOManager
from tests.platform_assets.media.conftest import DAYS


@pytest.fixture(scope="module")
def lake(media_lake):
    truth, home = media_lake
    return truth, LanceIOManager(root_uri=str(home / "lake")), home


def table(io, key, columns=None):
    return io.open(dg.AssetKey(key)).to_table(columns=columns)


def test_nothing_is_lost(lake):
    truth, io, _ = lake
    planted = sum(len(items) for items in truth.values())
    raw, bad = table(io, "raw_media", ["doc_id"]), table(io, "quarantined_media")
    assert raw.num_rows + bad.num_rows == planted
    clean, rejected = table(io, "clean_media", ["doc_id"]), table(io, "rejected_media", ["doc_id"])
    assert sorted(clean.column("doc_id").to_pylist() + rejected.column("doc_id").to_pylist()) == sorted(
        raw.column("doc_id").to_pylist())


def test_planted_broken_and_filtered_items_end_where_planted(lake):
    truth, io, _ = lake
    planted = truth["images"] + truth["speech"]
    assert outcome_mismatches(planted, table(io, "quarantined_media"), table(io, "rejected_media")) == []


def test_planted_near_duplicates_are_found_across_days(lake):
    truth, io, _ = lake
    clean = table(io, "clean_media", ["doc_id"])
    rejected = table(io, "rejected_media", ["doc_id", "stage", "duplicate_of", "day"])
    scores = near_dup_scores(truth["images"], clean, rejected)
    assert scores["precision"] == 1.0
    assert scores["missed_by_transform"].keys() <= {"crop"}  # re-encoded and resized copies: all found
    assert scores["recall"] >= 0.75
    later = [p["doc_id"] for p in truth["images"]
             if p.get("kind") == "near_duplicate" and p["day"] != DAYS[0]]
    dropped_later = set(rejected.filter(pa.compute.not_equal(rejected.column("day"), DAYS[0]))
                        .column("doc_id").to_pylist())
    assert set(later) & dropped_later  # the incremental scope caught copies of earlier days' pictures


def test_captions_are_redacted_and_bytes_are_the_landed_files(lake):
    truth, io, home = lake
    ds = io.open(dg.AssetKey("clean_media"))
    rows = ds.to_table(columns=["doc_id", "caption", "pii_emails", "file", "landing_format"])
    pii = next(p["doc_id"] for p in truth["images"] if p.get("kind") == "pii")
    caption = rows.filter(pa.compute.equal(rows.column("doc_id"), pii)).to_pylist()[0]
    assert "<EMAIL>" in caption["caption"] and caption["pii_emails"] == 1
    folder = [i for i, r in enumerate(rows.to_pylist()) if r["landing_format"] == "folder"]
    blobs = ds.take_blobs("media", indices=folder)
    for index, blob in zip(folder, blobs, strict=True):
        assert blob.read() == (home / "landing" / rows.column("file")[index].as_py()).read_bytes()
