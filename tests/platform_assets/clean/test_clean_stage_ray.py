"""`MASLOW_EXECUTOR=ray`: the clean stage runs as a task graph on a local Ray cluster (the session's, 2 CPUs)
and decides exactly as the local executor on the same landed days (the second deduplicated against the
first in the incremental scope, through near_dup_index's sorted runs); its workers write the fragments and
the IO manager commits each output once, as it commits a streamed output."""

from __future__ import annotations

import dagster as dg
import orjson
import pytest

from platform_assets import settings
from platform_assets.clean.clean_documents import DROPPED, OUTPUTS, clean_stage
from platform_assets.clean.raw_documents import ingest_raw_documents
from platform_assets.cli.demo_data.rng import derive
from platform_assets.cli.demo_data.similarity import near_copy
from resources.executor import LocalExecutor, RayExecutor
from resources.lance_io_manager import LanceIOManager
from tests.platform_assets.processors.dedup.test_cluster_stage import sorted_rows
from tests.platform_assets.processors.dedup.test_stage import articles as articles  # noqa: PLC0414

DAY, NEXT = "2026-04-02", "2026-04-03"


def _land(texts: list[str]) -> None:
    near, _ = near_copy(derive(4, "ray"), texts[1], "high")
    nearer, _ = near_copy(derive(5, "ray"), near, "high")
    records = [{"id": i, "text": t} for i, t in enumerate(texts[:14])]
    records += [{"id": 100, "text": texts[0] + "  "}, {"id": 101, "text": near}, {"id": 102, "text": nearer},
                {"id": 103, "text": "  "}, {"id": 104, "text": texts[2].replace(". ", ".  ")}]
    again, _ = near_copy(derive(6, "ray"), texts[3], "high")
    later = [{"id": 200, "text": again}, {"id": 201, "text": texts[5] + " "}]
    later += [{"id": 202 + i, "text": t} for i, t in enumerate(texts[14:18])]
    for day, rows in ((DAY, records), (NEXT, later)):
        folder = settings.landing_dir() / "web" / day
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "part-0.jsonl").write_bytes(b"\n".join(orjson.dumps(r) for r in rows) + b"\n")


def _run(lake: str, executor, day: str = DAY, scope: str = "partition") -> tuple[LanceIOManager, dict]:
    io = LanceIOManager(root_uri=lake)
    result = dg.materialize([ingest_raw_documents, clean_stage], partition_key=day, resources={
        "lance_io_manager": io, "executor": executor},
        run_config={"ops": {"clean_stage": {"config": {"batch_rows": 4, "scope": scope}}}})
    assert result.success
    meta = {e.materialization.asset_key.path[-1]: e.materialization.metadata
            for e in result.get_asset_materialization_events()}
    return io, meta


@pytest.mark.integration
def test_ray_executor_decides_as_the_local_executor(maslow_home, articles, ray_cluster):  # noqa: F811
    _land(articles)
    local_io, local = _run(str(maslow_home / "lake_local"), LocalExecutor(workers=0))
    ray_io, on_ray = _run(str(maslow_home / "lake_ray"), RayExecutor())
    for name in OUTPUTS:
        a, b = local_io.open(dg.AssetKey(name)), ray_io.open(dg.AssetKey(name))
        assert sorted_rows(b.to_table()) == sorted_rows(a.to_table()), name
        assert b.version == a.version  # the same commits: created, then one partition-replacing commit
        assert on_ray[name]["dagster/partition_row_count"] == local[name]["dagster/partition_row_count"]
        assert on_ray[name]["lance/content_hash"].value  # read back from the committed partition
    funnel = {k: v for k, v in local["clean_documents"].items() if not k.startswith(("dagster/", "lance/"))}
    assert {k: on_ray["clean_documents"].get(k) for k in funnel} == funnel  # counts, drops by reason, tokens
    assert {"raw_rows", "clean_rows", "tokens_kept", DROPPED} <= funnel.keys()
    assert local["clean_documents"]["clean_rows"].value == 14  # 20 landed: 2 exact, 2 near, 1 empty, 1 gopher


def _funnel(meta: dict) -> dict:
    return {k: v for k, v in meta["clean_documents"].items() if not k.startswith(("dagster/", "lance/"))}


@pytest.mark.integration
def test_ray_executor_dedups_a_next_day_as_the_local_executor(maslow_home, articles, ray_cluster):  # noqa: F811
    """The next day in the incremental scope: each band-reduce task on the cluster looks its keys up in the
    runs the driver refreshed; outputs, funnel and lookup counts equal the local executor's."""
    _land(articles)
    runs = {}
    for name, executor in (("local", LocalExecutor(workers=0)), ("ray", RayExecutor())):
        _run(str(maslow_home / f"lake_{name}"), executor)
        runs[name] = _run(str(maslow_home / f"lake_{name}"), executor, NEXT, "incremental")
    (local_io, local), (ray_io, on_ray) = runs["local"], runs["ray"]
    for name in OUTPUTS:
        a, b = local_io.open(dg.AssetKey(name)), ray_io.open(dg.AssetKey(name))
        assert sorted_rows(b.to_table()) == sorted_rows(a.to_table()), name
    layout = "near_dup_index/fragments_read"  # day 1's index: one fragment locally, one per bucket on Ray
    assert {k: v for k, v in _funnel(on_ray).items() if k != layout} == {
        k: v for k, v in _funnel(local).items() if k != layout}
    assert _funnel(local)["near_dup_index/rows_checked"].value == 14  # day 1's clean documents
    rejected = {r["doc_id"]: r for r in ray_io.open(dg.AssetKey("rejected_documents")).to_table(
        filter=f"day = '{NEXT}'").to_pylist()}
    assert {r["reason"] for r in rejected.values()} == {"near_duplicate"} and len(rejected) == 2
