"""The clean stage as a task graph (`ClusterStage`) decides exactly as the one-process stage (`CleanStage`).

Here the graph runs in this process (LocalExecutor.submit) over 3 buckets;
tests/platform_assets/clean/test_clean_stage_ray.py runs it on a Ray cluster. The input plants what makes
the graph version hard: exact copies that differ in case and spacing, a chain of near copies (A~B~C with A
and C apart: several star rounds), re-deliveries of documents clean on another day, and (incremental
scope) earlier days' index rows, streamed or looked up in near_dup_index's sorted runs.
"""

from __future__ import annotations

import math

import lance
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from platform_assets import settings
from platform_assets.cli.demo_data.rng import derive
from platform_assets.cli.demo_data.similarity import near_copy
from platform_assets.processors.clean_config import FILTERS_FILE
from platform_assets.processors.dedup.cluster_stage import ClusterStage
from platform_assets.processors.dedup.cluster_tasks import Target
from platform_assets.processors.dedup.index_lookup import BandRuns, IndexLookup
from platform_assets.processors.dedup.schemas import OUTPUT_SCHEMAS as SCHEMAS
from platform_assets.processors.dedup.stage import CleanStage, StageOptions
from platform_assets.processors.pipeline import load_clean_config
from resources import lance_writes
from resources.executor import LocalExecutor
from resources.lance_filters import compare
from tests.platform_assets.processors.dedup.test_stage import DAY1, DAY2, articles, raw_batch  # noqa: F401


def day_batches(texts: list[str], day: str = DAY2, seed: int = 3) -> list[pa.RecordBatch]:
    """Documents with planted exact copies, a near-copy chain and ids out of order, in uneven batches."""
    a, b, c = texts[0], texts[1], texts[2]
    chain1, _ = near_copy(derive(seed, "chain1"), b, "high")
    chain2, _ = near_copy(derive(seed, "chain2"), chain1, "high")
    rows = [("k-exact", a.replace(". ", ".  ")), ("m-chain2", chain2), ("a-first", a),
            ("q-held", c), ("c-chain0", b), ("b-chain1", chain1), ("z-exact", a + " \n")]
    rows += [(f"u-{i:02d}", t) for i, t in enumerate(texts[3:12])]
    rows += [("n-twin", texts[12]), ("n-twin", texts[12]), ("e-empty", "  ")]  # a record delivered twice
    return [raw_batch(rows[i: i + 5], day) for i in range(0, len(rows), 5)]


def _nan_free(row: dict) -> dict:
    return {k: None if isinstance(v, float) and math.isnan(v) else v for k, v in row.items()}


def sorted_rows(table: pa.Table) -> list[dict]:
    order = pc.sort_indices(table, [("doc_id", "ascending"), ("reason", "ascending")]
                            if "reason" in table.column_names else [("doc_id", "ascending")])
    return [_nan_free(r) for r in table.take(order).to_pylist()]


def run_local(tmp_path, batches, day, scope="partition", prior=None, held=()):
    stage = CleanStage(LocalExecutor(workers=0), load_clean_config(settings.spec_dir() / FILTERS_FILE),
                       StageOptions(day=day, scope=scope, batch_rows=4), str(tmp_path / "local"))
    stage.run(iter(batches), prior, held)
    out = {name: reader.read_all() for name, reader in stage.readers().items()}
    stage.close()
    return stage.summary(), out


def run_cluster(tmp_path, executor, batches, day, scope="partition", prior=None, held=(), parts=3):
    """The graph stage, its fragments committed as the IO manager commits them; (summary, outputs, stage)."""
    targets = {}
    for name, schema in SCHEMAS.items():
        uri = str(tmp_path / "lake" / f"{name}.lance")
        targets[name] = Target(uri, lance_writes.prepare(uri, schema), lance_writes.fragment_options())
    stage = ClusterStage(executor, load_clean_config(settings.spec_dir() / FILTERS_FILE),
                         StageOptions(day=day, scope=scope, batch_rows=4), str(tmp_path / "scratch"), targets,
                         parts=parts)
    stage.run(iter(batches), prior, held)
    out = {}
    for name, target in targets.items():
        result = lance_writes.commit_fragments(target.uri, lance_writes.Fragments(stage.fragments[name]),
                                               ["day"], (day,))
        out[name] = pa.Table.from_batches(
            lance.dataset(target.uri).to_batches(filter=f"day = '{day}'"), schema=target.schema)
        assert result.partitions[(day,)][0] == out[name].num_rows
    assert not list(tmp_path.glob("scratch.*"))  # pass 2 dropped the spools it consumed
    stage.close()
    return stage.summary(), out, stage


def assert_same(local, cluster):
    assert cluster[0] == local[0]
    for name in SCHEMAS:
        assert sorted_rows(cluster[1][name]) == sorted_rows(local[1][name]), name


def test_the_graph_stage_decides_as_the_local_stage(tmp_path, articles):  # noqa: F811
    batches = day_batches(articles)
    held = [pa.record_batch({"doc_id": ["q-held", "not-here"]})]
    local = run_local(tmp_path, batches, DAY2, held=held)
    cluster = run_cluster(tmp_path, LocalExecutor(workers=0), batches, DAY2, held=held)
    assert_same(local, cluster)
    summary = local[0]
    assert summary["dropped/exact_duplicate"] == 3 and summary["dropped/redelivered"] == 1
    assert summary["dropped/near_duplicate"] == 2  # the chain: both follow b-chain1 (the smallest id)
    clean = {r["doc_id"]: r for r in cluster[1]["clean_documents"].to_pylist()}
    assert (clean["a-first"]["dup_cluster_size"], clean["b-chain1"]["dup_cluster_size"]) == (3, 3)
    assert cluster[2].rounds >= 2 and cluster[2].parts == 3


def test_the_graph_stage_matches_in_the_incremental_scope(tmp_path, articles):  # noqa: F811
    _, day1 = run_local(tmp_path / "d1", [raw_batch([("m-old", articles[1]), ("x-old", articles[4])], DAY1)],
                        DAY1)
    prior = day1["near_dup_index"]
    batches = day_batches(articles)
    local = run_local(tmp_path, batches, DAY2, "incremental", prior.to_batches(max_chunksize=1))
    cluster = run_cluster(tmp_path, LocalExecutor(workers=0), batches, DAY2, "incremental",
                          prior.to_batches(max_chunksize=1))
    assert_same(local, cluster)
    rejected = {r["doc_id"]: r for r in cluster[1]["rejected_documents"].to_pylist()}
    assert rejected["c-chain0"]["duplicate_of"] == "m-old" and rejected["u-01"]["duplicate_of"] == "x-old"


def test_the_graph_stage_looks_the_history_up_in_the_runs(tmp_path, articles):  # noqa: F811
    """Two earlier days and a later one committed to a Lance index: the graph stage's band-reduce tasks,
    searching the sorted runs, decide as the graph stage streaming every earlier row and as the local
    stage's lookup; only the two earlier documents sharing keys with the day enter the graph."""
    uri = str(tmp_path / "near_dup_index.lance")
    history = [("2026-10-31", [("m-old", articles[1])]),
               (DAY1, [("x-old", articles[4]), ("y-old", articles[20])]),
               ("2026-11-03", [("later", articles[5])])]
    for k, (day, rows) in enumerate(history):
        index = run_local(tmp_path / f"d{k}", [raw_batch(rows, day)], day)[1]["near_dup_index"]
        reader = pa.RecordBatchReader.from_batches(index.schema, index.to_batches())
        lance_writes.replace_partitions(uri, reader, ["day"], [(day,)])

    def lookup(name: str) -> IndexLookup:
        runs = BandRuns(tmp_path / name, 14, compare("preset", "=", "fineweb"))
        return IndexLookup(runs, lance.dataset(uri), DAY2)

    batches = day_batches(articles)
    streamed = lance.dataset(uri).to_table(filter=f"day < '{DAY2}'").to_batches(max_chunksize=1)
    local = run_local(tmp_path / "local", batches, DAY2, "incremental", lookup("runs-local"))
    looked_up = run_cluster(tmp_path / "looked", LocalExecutor(workers=0), batches, DAY2, "incremental",
                            lookup("runs-cluster"))
    scanned = run_cluster(tmp_path / "scanned", LocalExecutor(workers=0), batches, DAY2, "incremental",
                          streamed)
    assert_same(local, looked_up)
    assert_same(({k: v for k, v in local[0].items() if k in scanned[0]}, local[1]), scanned)
    rejected = {r["doc_id"]: r for r in looked_up[1]["rejected_documents"].to_pylist()}
    assert rejected["c-chain0"]["duplicate_of"] == "m-old" and rejected["u-01"]["duplicate_of"] == "x-old"
    assert "u-02" not in rejected  # the later day's copy is not history
    assert looked_up[0]["near_dup_index/rows_checked"] == 3 and looked_up[0]["near_dup_index/rows_read"] == 4
    assert 0 < looked_up[2].prior_found <= 2 * 14  # m-old's and x-old's band entries, not y-old's


@pytest.mark.parametrize("parts", [2, 5])
def test_bucket_count_does_not_change_decisions(tmp_path, articles, parts):  # noqa: F811
    batches = day_batches(articles, seed=parts)
    local = run_local(tmp_path, batches, DAY2)
    assert_same(local, run_cluster(tmp_path, LocalExecutor(workers=0), batches, DAY2, parts=parts))
