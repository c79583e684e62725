"""document_embeddings materialized (hashing_v1 encoder) over a small clean_documents table, then queried."""

from __future__ import annotations

import json
from datetime import date, timedelta

import dagster as dg
import lance
import pyarrow as pa
import pytest

from platform_assets.classifications.document_embeddings import document_embeddings
from platform_assets.classifications.embedding_checks import vectors_valid
from platform_assets.cli import main as cli
from platform_assets.cli.lineage import similar
from platform_assets.definitions import defs
from platform_assets.partitions import DAILY_METADATA, daily_partitions
from platform_assets.processors.classifiers import synthetic_web
from resources import lance_vectors as lv
from resources import lance_writes
from resources.embedder import EmbedderResource
from resources.lance_io_manager import LanceIOManager

DAYS = [(date.today() - timedelta(days=d)).isoformat() for d in (3, 2)]
CLEAN = dg.AssetSpec("clean_documents", partitions_def=daily_partitions, metadata=DAILY_METADATA)
LIGHTHOUSE = ("The lighthouse keeper on Skerry Island logged seventeen storms in one winter, trimmed the "
              "wick every night and wrote letters to his sister about the seals on the northern rocks.")
REWORDED = LIGHTHOUSE.replace("seventeen", "sixteen").replace("letters", "long letters")


def _write_clean(lake: str, day: str, n: int, seed: int, planted: list[tuple[str, str]]) -> None:
    docs = synthetic_web.documents(n, seed=seed, mean_chars=400, day=day)
    docs = docs.select(["doc_id", "day", "text", "domain"])
    extra = pa.table({"doc_id": [d for d, _ in planted], "day": [day] * len(planted),
                      "text": [t for _, t in planted], "domain": ["web"] * len(planted)})
    table = pa.concat_tables([docs, extra.cast(docs.schema)])
    reader = pa.RecordBatchReader.from_batches(table.schema, table.to_batches())
    lance_writes.replace_partitions(f"{lake}/clean_documents.lance", reader, ["day"], [(day,)])


def _materialize(lake: str, day: str):
    io = LanceIOManager(root_uri=lake)
    return dg.materialize([CLEAN, document_embeddings, vectors_valid], selection=[document_embeddings],
                          partition_key=day,
                          resources={"lance_io_manager": io, "io_manager": io,
                                     "embedder": EmbedderResource(encoder="hashing_v1")})


@pytest.fixture
def lake(maslow_home, monkeypatch):
    monkeypatch.setattr(lv, "MIN_INDEX_ROWS", 300)  # small enough for the test data to get an index
    monkeypatch.setenv("MASLOW_EMBEDDER", "hashing_v1")
    lake = str(maslow_home / "lake")
    _write_clean(lake, DAYS[0], 300, 1, [("lighthouse-a", LIGHTHOUSE), ("blank", "   ")])
    _write_clean(lake, DAYS[1], 200, 2, [("lighthouse-b", REWORDED)])
    return lake


def test_one_vector_per_document_and_an_index_after_the_second_day(lake):
    first = _materialize(lake, DAYS[0]).asset_materializations_for_node("document_embeddings")[0].metadata
    assert first["dagster/partition_row_count"].value == 302
    assert first["embeddings/encoder"].value == "hashing_v1" and first["embeddings/dim"].value == 256
    assert first["lance/vector_index"].data["index"] == "IVF_PQ"  # 302 rows >= the 300 set above

    second = _materialize(lake, DAYS[1]).asset_materializations_for_node("document_embeddings")[0].metadata
    index = second["lance/vector_index"].data
    assert (index["action"], index["indexed_rows"], index["unindexed_rows"]) == ("optimized", 503, 0)

    check = _materialize(lake, DAYS[1]).get_asset_check_evaluations()[0]
    assert check.passed and check.metadata["null_vectors"].value == 1, check.metadata
    out = lance.dataset(f"{lake}/document_embeddings.lance").to_table()
    clean = lance.dataset(f"{lake}/clean_documents.lance").to_table(columns=["doc_id"])
    assert sorted(out.column("doc_id").to_pylist()) == sorted(clean.column("doc_id").to_pylist())
    assert out.schema.field("vector").type == pa.list_(pa.float32(), 256)
    blank = out.filter(pa.compute.equal(out.column("doc_id"), "blank"))
    assert blank.column("vector").null_count == 1


def test_more_like_this_finds_the_reworded_copy_across_days(lake):
    for day in DAYS:
        assert _materialize(lake, day).success
    found = similar.more_like_this(lake, doc_id="lighthouse-a", k=5)
    assert found[0].doc_id == "lighthouse-b" and found[0].day == DAYS[1]
    assert found[0].distance < 0.3 < found[1].distance
    assert "lighthouse-a" not in [n.doc_id for n in found]
    assert found[0].snippet.startswith("The lighthouse keeper on Skerry Island")

    by_text = similar.more_like_this(lake, text="a keeper of the lighthouse on Skerry Island", k=1,
                                     encoder=lambda name: EmbedderResource(encoder=name).get_encoder())
    assert by_text[0].doc_id in {"lighthouse-a", "lighthouse-b"}

    only_day1 = similar.more_like_this(lake, doc_id="lighthouse-a", k=3, where=f"day = '{DAYS[0]}'")
    assert {n.day for n in only_day1} == {DAYS[0]}


def test_similar_command(lake, capsys):
    for day in DAYS:
        _materialize(lake, day)
    assert cli.main(["similar", "lighthouse-a", "-k", "2", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["rank"] for r in rows] == [1, 2] and rows[0]["doc_id"] == "lighthouse-b"
    assert cli.main(["similar", "--text", "seals on the northern rocks"]) == 0
    assert "lighthouse" in capsys.readouterr().out
    assert cli.main(["similar", "no-such-doc"]) == 2
    assert "has no embedding" in capsys.readouterr().out


def test_optional_asset_stays_out_of_the_daily_job_automation_and_demo():
    graph = defs.resolve_asset_graph()
    node = graph.get(dg.AssetKey("document_embeddings"))
    assert node.automation_condition is None
    job = defs.resolve_job_def("daily_refresh")
    assert dg.AssetKey("document_embeddings") not in job.asset_layer.executable_asset_keys
    from platform_assets.cli.runner import stages
    assert all(dg.AssetKey("document_embeddings") not in s.keys for s in stages(defs))


def test_check_fails_on_duplicates_and_unnormalized_vectors(tmp_path):
    vectors = pa.FixedSizeListArray.from_arrays(pa.array([0.6, 0.8, 3.0, 4.0], pa.float32()), 2)
    bad = pa.table({"doc_id": ["a", "a"], "day": ["d", "d"], "domain": ["web"] * 2,
                    "encoder": ["hashing_v1"] * 2, "vector": vectors})
    result = vectors_valid(lance.write_dataset(bad, str(tmp_path / "e.lance")))
    assert not result.passed
    assert result.metadata["duplicates"].value == 1 and result.metadata["not_unit_length"].value == 1
