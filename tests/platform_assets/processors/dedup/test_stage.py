"""The clean stage on one partition: every row lands once, dedup drops are explained, scratch is removed."""

from __future__ import annotations

import os

import lance
import pyarrow as pa
import pytest

from platform_assets import settings
from platform_assets.cli.demo_data.prose import Prose
from platform_assets.cli.demo_data.rng import derive
from platform_assets.cli.demo_data.similarity import near_copy
from platform_assets.processors.clean_config import FILTERS_FILE
from platform_assets.processors.dedup.index_lookup import BandRuns, IndexLookup
from platform_assets.processors.dedup.stage import CleanStage, StageOptions
from platform_assets.processors.filters._samples import CODE
from platform_assets.processors.pipeline import load_clean_config
from resources import lance_writes
from resources.executor import LocalExecutor
from resources.lance_filters import compare

DAY1, DAY2 = "2026-11-01", "2026-11-02"


def raw_batch(rows: list[tuple[str, str]], day: str, domains: list[str] | None = None) -> pa.RecordBatch:
    n = len(rows)
    return pa.record_batch(
        {
            "doc_id": [d for d, _ in rows],
            "source": ["web"] * n,
            "source_id": [d for d, _ in rows],
            "text": [t for _, t in rows],
            "url": [None] * n,
            "meta": [None] * n,
            "domain": domains or ["prose"] * n,
            "file": ["part-0.jsonl"] * n,
            "line": list(range(n)),
            "day": [day] * n,
        }
    )


@pytest.fixture(scope="module")
def articles() -> list[str]:
    prose = Prose(derive(7, "stage-test"))
    return [a for a in (prose.article() for _ in range(80)) if a.count(" ") > 250][:30]


def run_stage(tmp_path, batches, day, scope="partition", prior=None, close=True):
    stage = CleanStage(
        LocalExecutor(workers=0),
        load_clean_config(settings.spec_dir() / FILTERS_FILE),
        StageOptions(day=day, scope=scope),
        str(tmp_path / "_scratch" / day),
    )
    stage.run(iter(batches), prior)
    out = {name: reader.read_all() for name, reader in stage.readers().items()}
    if close:
        stage.close()
    return stage, out


def by_id(table: pa.Table) -> dict[str, dict]:
    return {r["doc_id"]: r for r in table.to_pylist()}


def test_every_row_lands_once_and_duplicates_are_explained(tmp_path, articles):
    a0, a1 = articles[0], articles[1]
    near, _ = near_copy(derive(1, "near"), a1, "high")
    low, _ = near_copy(derive(1, "low"), articles[2], "low")
    # Stream order is not first-seen order: "b-..." arrives before "a-..." but "a-..." has the smaller id.
    first = [
        ("b-exact", a0.replace(". ", ".   ") + "\n"),
        ("z-near", near),
        ("y-low", low),
        ("e-empty", " \n "),
    ]
    second = [("a-orig", a0), ("c-orig", a1), ("x-orig", articles[2])] + [
        (f"u-{i:02d}", t) for i, t in enumerate(articles[3:])
    ]
    stage, out = run_stage(tmp_path, [raw_batch(first, DAY1), raw_batch(second, DAY1)], DAY1, close=False)
    clean, rejected = by_id(out["clean_documents"]), by_id(out["rejected_documents"])
    assert len(clean) + len(rejected) == stage.raw_rows == 4 + 3 + len(articles[3:])
    assert not clean.keys() & rejected.keys()
    assert {k: (v["stage"], v["filter"], v["reason"], v["duplicate_of"]) for k, v in rejected.items()} == {
        "b-exact": ("dedup", "exact_dedup_v1", "exact_duplicate", "a-orig"),
        "z-near": ("dedup", "minhash_dedup_v1", "near_duplicate", "c-orig"),
        "e-empty": ("normalize", "normalize_v1", "empty_text", None),
    }
    assert rejected["b-exact"]["score"] == 1.0 and 0 < rejected["z-near"]["score"] <= 1
    assert rejected["z-near"]["text"].split() == near.split()  # the (normalized) text is kept for audit
    assert (clean["a-orig"]["dup_cluster_id"], clean["a-orig"]["dup_cluster_size"]) == ("a-orig", 2)
    assert (clean["c-orig"]["dup_cluster_id"], clean["c-orig"]["dup_cluster_size"]) == ("c-orig", 2)
    assert clean["y-low"]["dup_cluster_size"] == 1 and clean["x-orig"]["dup_cluster_size"] == 1
    index = out["near_dup_index"]
    assert sorted(index.column("doc_id").to_pylist()) == sorted(clean)
    assert {len(b) for b in index.column("bands").to_pylist()} == {14}
    assert set(index.column("preset").to_pylist()) == {"fineweb"}
    summary = stage.summary()
    assert summary["raw_rows"] == stage.raw_rows and summary["clean_rows"] == len(clean)
    assert summary["dropped/exact_duplicate"] == 1 and summary["dropped/near_duplicate"] == 1
    assert summary["dropped/empty_text"] == 1
    assert summary["dedup_rate"] == round(2 / (len(clean) + 2), 6)
    assert summary["tokens_kept"] == sum(r["token_count"] for r in clean.values())
    spool = tmp_path / "_scratch" / f"{DAY1}.kept.lance"
    assert os.path.exists(spool)
    stage.close()
    assert not os.path.exists(spool)


def test_spilled_keys_give_the_same_outputs(tmp_path, articles):
    """Keys spilled to a sorted run after every 4-row task decide exactly as keys held in memory."""
    rows = [(f"r-{i:02d}", t) for i, t in enumerate(articles[:12])]
    rows += [(f"n-{i:02d}", near_copy(derive(i, "spill"), articles[i % 4], "high")[0]) for i in range(6)]
    rows += [("e-copy", articles[5]), ("a-copy", articles[5] + " \n"), ("d-held", articles[6])]
    batches = [raw_batch(rows[:10], DAY1), raw_batch(rows[10:], DAY1)]
    held = [pa.record_batch({"doc_id": ["d-held", "zz"]})]
    outputs = []
    for spill, folder in ((64 << 20, "memory"), (1, "spilled")):
        stage = CleanStage(LocalExecutor(workers=0), load_clean_config(settings.spec_dir() / FILTERS_FILE),
                           StageOptions(day=DAY1, spill_bytes=spill, batch_rows=4),
                           str(tmp_path / folder / "_scratch"))
        stage.run(iter(batches), held=held)
        outputs.append(({k: r.read_all().to_pylist() for k, r in stage.readers().items()}, stage.summary()))
        assert (stage.runs.runs["band00"] != []) == (spill == 1)
        stage.close()
    assert outputs[0] == outputs[1]
    summary, rejected = outputs[1][1], by_id(pa.Table.from_pylist(outputs[1][0]["rejected_documents"]))
    assert summary["dropped/near_duplicate"] >= 5 and summary["dropped/redelivered"] == 1
    assert (rejected["e-copy"]["reason"], rejected["e-copy"]["duplicate_of"]) == ("exact_duplicate", "a-copy")


def test_incremental_scope_dedups_against_earlier_days(tmp_path, articles):
    _, day1 = run_stage(tmp_path, [raw_batch([("m-old", articles[0]), ("n-old", articles[1])], DAY1)], DAY1)
    copy, _ = near_copy(derive(2, "cross"), articles[0], "high")
    batch2 = raw_batch([("a-new", copy), ("b-new", articles[5])], DAY2)
    _, partition = run_stage(tmp_path, [batch2], DAY2)
    assert sorted(partition["clean_documents"].column("doc_id").to_pylist()) == ["a-new", "b-new"]
    stage, incremental = run_stage(
        tmp_path, [batch2], DAY2, "incremental", prior=day1["near_dup_index"].to_batches()
    )
    rejected = by_id(incremental["rejected_documents"])
    assert (rejected["a-new"]["reason"], rejected["a-new"]["duplicate_of"]) == ("near_duplicate", "m-old")
    assert incremental["clean_documents"].column("doc_id").to_pylist() == ["b-new"]
    assert stage.summary()["near_dup_index/rows_checked"] == 2


def test_the_index_lookup_decides_as_the_streamed_index(tmp_path, articles):
    """Day 3 against days 1 and 2 committed to a Lance index: looked up through the sorted runs, it gives
    the outputs (and rows checked) of every earlier row streamed."""
    uri, days = str(tmp_path / "near_dup_index.lance"), [DAY1, DAY2]
    for k, day in enumerate(days):
        pair = [(f"{k}-a", articles[2 * k]), (f"{k}-b", articles[2 * k + 1])]
        index = run_stage(tmp_path, [raw_batch(pair, day)], day)[1]["near_dup_index"]
        reader = pa.RecordBatchReader.from_batches(index.schema, index.to_batches())
        lance_writes.replace_partitions(uri, reader, ["day"], [(day,)])
    rows = [("c-0", near_copy(derive(3, "look"), articles[0], "high")[0]), ("c-1", articles[3]),
            ("c-2", articles[9])]
    day3 = "2026-11-03"
    streamed = lance.dataset(uri).to_table().to_batches(max_chunksize=1)
    runs = BandRuns(tmp_path / "runs", 14, compare("preset", "=", "fineweb"))
    lookup = IndexLookup(runs, lance.dataset(uri), day3)
    results = [run_stage(tmp_path, [raw_batch(rows, day3)], day3, "incremental", prior) for prior in
               (streamed, lookup)]
    (a, out_a), (b, out_b) = results
    assert out_a == out_b
    assert by_id(out_b["rejected_documents"])["c-0"]["duplicate_of"] == "0-a"
    assert by_id(out_b["rejected_documents"])["c-1"]["duplicate_of"] == "1-b"
    assert a.summary()["near_dup_index/rows_checked"] == b.summary()["near_dup_index/rows_checked"] == 4
    assert b.summary()["near_dup_index/rows_read"] == 4


def test_summary_carries_line_edits_and_kept_rows_per_domain(tmp_path, articles):
    """C4's line edits and the kept documents per domain reach the summary (and so the asset metadata)."""
    edited = articles[3] + "\nShare\nPlease enable JavaScript to see the comments below."
    code = CODE * 3
    rows = [("p-edited", edited), ("p-plain", articles[4]), ("p-copy", articles[4]), ("c-code", code)]
    batches = [raw_batch(rows[:2], DAY1), raw_batch(rows[2:], DAY1, domains=["prose", "code"])]
    stage, out = run_stage(tmp_path, batches, DAY1)
    clean = by_id(out["clean_documents"])
    assert "JavaScript" not in clean["p-edited"]["text"] and "c-code" in clean
    summary = stage.summary()
    assert summary["lines_removed"] == 2
    assert (summary["clean_rows/prose"], summary["clean_rows/code"]) == (2, 1)  # p-copy is a duplicate
    assert summary["clean_rows"] == sum(v for k, v in summary.items() if k.startswith("clean_rows/"))
