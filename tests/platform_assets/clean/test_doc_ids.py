"""doc_id never collides: typed source ids, content in the id, re-deliveries dropped, a lake-wide check."""

from __future__ import annotations

import dagster as dg
import orjson
import pytest

from platform_assets import settings
from platform_assets.clean import clean_checks
from platform_assets.clean.clean_documents import clean_stage
from platform_assets.clean.raw_documents import ingest_raw_documents
from platform_assets.cli.demo_data.prose import Prose
from platform_assets.cli.demo_data.rng import derive
from platform_assets.processors.ingest import doc_id
from resources import lance_datasets
from resources.executor import LocalExecutor
from resources.lance_io_manager import LanceIOManager

DAY1, DAY2, DAY3 = "2026-03-01", "2026-03-02", "2026-03-03"
CHECKS = [clean_checks.clean_documents_unique_doc_id, clean_checks.clean_counts_add_up]


@pytest.fixture(scope="module")
def articles() -> list[str]:
    prose = Prose(derive(5, "doc-id-test"))
    return [a for a in (prose.article() for _ in range(40)) if a.count(" ") > 250][:6]


def land(day: str, records: list[dict], source: str = "web") -> None:
    folder = settings.landing_dir() / source / day
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "part-0.jsonl").write_bytes(b"\n".join(orjson.dumps(r) for r in records) + b"\n")


def materialize(day: str) -> dg.ExecuteInProcessResult:
    io = LanceIOManager(root_uri=settings.lake_uri())
    return dg.materialize([ingest_raw_documents, clean_stage, *CHECKS], partition_key=day,
                          raise_on_error=False,
                          resources={"lance_io_manager": io, "executor": LocalExecutor(workers=0)})


def table(key: str, day: str | None = None):
    io = LanceIOManager(root_uri=settings.lake_uri())
    return io.open(dg.AssetKey(key)).to_table(filter=None if day is None else f"day = '{day}'").to_pylist()


def checks(result) -> dict[str, dg.AssetCheckEvaluation]:
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


def test_an_integer_id_and_a_string_id_are_different_documents():
    assert doc_id("web", "int", "1", "same text") != doc_id("web", "str", "1", "same text")
    assert doc_id("web", "str", "1", "one text") != doc_id("web", "str", "1", "another text")
    assert doc_id("web", "str", "1", "text") == doc_id("web", "str", "1", "text")
    with pytest.raises(ValueError, match="id kind"):
        doc_id("web", "float", "1", "text")


def test_ids_reused_across_days_never_collide_in_clean_documents(maslow_home, articles):
    land(DAY1, [{"id": 1, "text": articles[0]}, {"id": "7", "text": articles[1]}])
    # day 2: string "1" (new document), id 7 again with new content, id 7 of day 1 re-delivered as is
    land(DAY2, [{"id": "1", "text": articles[2]}, {"id": "7", "text": articles[3]},
                {"id": 9, "text": articles[4]}])
    (settings.landing_dir() / "web" / DAY2 / "part-1.jsonl").write_bytes(
        orjson.dumps({"id": "7", "text": articles[1]}) + b"\n")
    for day in (DAY1, DAY2):
        result = materialize(day)
        assert result.success and all(e.passed for e in checks(result).values()), checks(result)
    clean = table("clean_documents")
    assert len({r["doc_id"] for r in clean}) == len(clean) == 5  # 2 on day 1, 3 new on day 2
    [again] = [r for r in table("rejected_documents", DAY2) if r["reason"] == "redelivered"]
    assert (again["source_id"], again["filter"]) == ("7", "redelivery_v1")
    first = next(r["doc_id"] for r in table("clean_documents", DAY1) if r["source_id"] == "7")
    assert again["duplicate_of"] == again["doc_id"] == first


def test_the_uniqueness_check_is_lake_wide(maslow_home, articles):
    land(DAY1, [{"id": "a", "text": articles[0]}])
    assert materialize(DAY1).success
    land(DAY3, [{"id": "a", "text": articles[0]}])
    assert materialize(DAY3).success  # the re-delivery is dropped, so the lake stays unique
    io = LanceIOManager(root_uri=settings.lake_uri())
    planted = io.open(dg.AssetKey("clean_documents")).to_table(filter=f"day = '{DAY1}'")
    io.open(dg.AssetKey("clean_documents")).insert(planted.set_column(
        planted.schema.get_field_index("day"), "day", [[DAY3] * planted.num_rows]))
    # Planted outside the clean stage: readers (the published set) do not see it, so the check gets it.
    latest = lance_datasets.open_dataset(io.uri_for(dg.AssetKey("clean_documents")))
    check = clean_checks.clean_documents_unique_doc_id(dg.build_op_context(partition_key=DAY3), latest)
    assert not check.passed and check.metadata["repeated_doc_ids"].value == 1
    assert f"on {DAY1}, {DAY3}" in check.metadata["examples"].value
