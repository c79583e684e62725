"""quality_model and document_classifications materialized against a small clean_documents table."""

from __future__ import annotations

from datetime import date, timedelta

import dagster as dg
import lance
import numpy as np
import pyarrow as pa
import pytest

from platform_assets.classifications import classification_checks as checks
from platform_assets.classifications import llm_checks
from platform_assets.classifications.document_classifications import document_classifications
from platform_assets.classifications.quality_model import quality_model
from platform_assets.partitions import DAILY_METADATA, daily_partitions
from platform_assets.processors.classifiers import ngram_model, synthetic_web
from resources import lance_writes
from resources.executor import LocalExecutor
from resources.lance_io_manager import LanceIOManager
from resources.llm import LLMResource
from tests.resources.fake_llm import serve

DAY = (date.today() - timedelta(days=2)).isoformat()
CLEAN = dg.AssetSpec("clean_documents", partitions_def=daily_partitions, metadata=DAILY_METADATA)


def _write_clean(lake: str, n: int = 400, seed: int = 3) -> pa.Table:
    docs = synthetic_web.documents(n, seed=seed, mean_chars=600, day=DAY)
    table = docs.select(["doc_id", "day", "text", "domain"])
    table = table.append_column("url", pa.nulls(table.num_rows, pa.string()))  # as clean_documents has
    lance_writes.replace_partitions(
        f"{lake}/clean_documents.lance",
        pa.RecordBatchReader.from_batches(table.schema, table.to_batches()),
        ["day"],
        [(DAY,)],
    )
    return table


@pytest.fixture
def lake(maslow_home):
    return str(maslow_home / "lake")


def _materialize(lake: str, selection, **kw):
    io = LanceIOManager(root_uri=lake)
    resources = {"lance_io_manager": io, "io_manager": io, "llm": kw.pop("llm", LLMResource()),
                 "executor": kw.pop("executor", LocalExecutor(workers=0))}
    return dg.materialize(
        [CLEAN, quality_model, document_classifications, *checks_defs(), *kw.pop("extra_checks", [])],
        resources=resources,
        selection=selection,
        **kw,
    )


def checks_defs():
    return [checks.one_row_per_document, checks.scores_and_labels_valid, checks.quality_model_beats_length]


def test_train_then_classify_one_day(lake):
    clean = _write_clean(lake)
    result = _materialize(lake, [quality_model, document_classifications], partition_key=DAY)
    assert result.success
    model_meta = result.asset_materializations_for_node("quality_model")[0].metadata
    assert model_meta["quality/holdout_roc_auc"].value > model_meta["quality/length_baseline_roc_auc"].value
    assert model_meta["quality/reference_docs"].value >= 80

    out = lance.dataset(f"{lake}/document_classifications.lance").to_table()
    assert out.num_rows == clean.num_rows
    assert sorted(out.column("doc_id").to_pylist()) == sorted(clean.column("doc_id").to_pylist())
    for col in (
        "score__quality_v1",
        "label__domain_v1",
        "score__domain_v1",
        "domain_v1__code_language",
        "difficulty_math_v1__steps",
        "difficulty_code_v1__function_count",
        "difficulty_mc_v1__length_skew",
        "score__llm_edu_v1",
        "llm_edu_v1__status",
    ):
        assert col in out.column_names
    assert out.column("score__quality_v1").null_count == 0
    assert set(out.column("llm_edu_v1__status").to_pylist()) == {"skipped"}
    rows = {r["doc_id"]: r for r in out.to_pylist()}
    kinds = dict(
        zip(
            clean.column("doc_id").to_pylist(),
            synthetic_web.documents(400, 3, 600, DAY)["kind"].to_pylist(),
            strict=True,
        )
    )
    code = [r for d, r in rows.items() if kinds[d] == "code"]
    assert code and all(r["difficulty_code_v1__language"] == "python" for r in code)
    assert all(r["difficulty_code_v1__function_count"] >= 1 for r in code)
    assert all(r["difficulty_math_v1__answer"] is not None for d, r in rows.items() if kinds[d] == "math")
    assert all(
        r["difficulty_mc_v1__num_options"] == 4 for d, r in rows.items() if kinds[d] == "multiple_choice"
    )

    meta = result.asset_materializations_for_node("document_classifications")[0].metadata
    assert meta["llm/endpoint"].value == "skipped: no endpoint configured (llm.base_url)"
    assert meta["classifications/rows"].value == clean.num_rows
    assert sum(meta["classifications/label__domain_v1"].value.values()) == clean.num_rows
    assert set(meta["classifications/score__quality_v1"].value) == {"p10", "p50", "p90", "mean", "n"}
    assert all(c.passed for c in result.get_asset_check_evaluations())


@pytest.mark.slow
def test_retraining_to_new_weights_makes_classifications_stale(lake):
    _write_clean(lake)
    with dg.instance_for_test() as instance:
        first = _materialize(
            lake, [quality_model, document_classifications], partition_key=DAY, instance=instance
        )
        v1 = first.asset_materializations_for_node("quality_model")[0].tags["dagster/data_version"]
        classified = instance.get_latest_materialization_event(dg.AssetKey("document_classifications"))
        assert classified.asset_materialization.tags["dagster/input_data_version/quality_model"] == v1
        assert _stale_status(instance) == "FRESH"
        _write_clean(lake, seed=4)  # new negatives -> new weights -> new data version
        second = _materialize(lake, [quality_model], instance=instance)
        v2 = second.asset_materializations_for_node("quality_model")[0].tags["dagster/data_version"]
        assert v2 != v1
        assert _stale_status(instance) == "STALE"
        assert len(lance.dataset(f"{lake}/quality_model.lance").versions()) >= 2


def _stale_status(instance) -> str:
    """Dagster's own staleness verdict for the classified day (the one the UI shows)."""
    from dagster._core.definitions.data_version import CachingStaleStatusResolver
    from dagster._core.loader import LoadingContextForTest

    io = LanceIOManager(root_uri="unused")
    graph = dg.Definitions(
        assets=[CLEAN, quality_model, document_classifications],
        resources={"lance_io_manager": io, "llm": LLMResource(), "executor": LocalExecutor(workers=0)},
    ).resolve_asset_graph()
    resolver = CachingStaleStatusResolver(instance, graph, LoadingContextForTest(instance))
    return resolver.get_status(dg.AssetKey("document_classifications"), partition_key=DAY).value


def test_check_flags_out_of_range_scores(tmp_path):
    table = pa.table({"score__domain_v1": [0.5, 1.5], "score__llm_edu_v1": [4.0, 5.0]})
    assert checks.unit_score_violations(table) == {"score__domain_v1": 1}
    scores = pa.table({"score__domain_v1": [1.5, 0.5, -1.0] * 3,
                       "label__domain_v1": ["prose", "nope", "code"] * 3})
    ds = lance.write_dataset(scores, str(tmp_path / "c.lance"), max_rows_per_file=4)  # several batches
    result = checks.scores_and_labels_valid(ds)
    assert not result.passed
    assert result.metadata["out_of_range"].value == '{"score__domain_v1": 6}'
    assert result.metadata["unknown_domain_labels"].value == 3


def test_prompt_classifier_through_a_configured_endpoint_and_the_cache(lake, tmp_path):
    _write_clean(lake, n=60)
    # 20-row batches: three executor tasks, each joined back to its own batch for the prompt columns
    run_config = dg.RunConfig(ops={"document_classifications": {"config": {
        "llm_max_docs": 5, "batch_rows": 20, "executor_min_rows": 1}}})
    with serve() as (url, server):
        llm = LLMResource(
            base_url=url, model="tiny-llm", cache_uri=str(tmp_path / "cache.lance"), backoff_initial_s=0.01
        )
        _materialize(lake, [quality_model], llm=llm)
        runs = [
            _materialize(lake, [document_classifications], partition_key=DAY, llm=llm, run_config=run_config)
            for _ in range(2)
        ]
        assert sum(server.hits.values()) == 5  # the second run asked nothing
    first, second = (r.asset_materializations_for_node("document_classifications")[0].metadata for r in runs)
    assert first["llm/endpoint"].value == "configured"
    assert (first["llm/requests"].value, first["llm/cache_hits"].value) == (5, 0)
    assert (second["llm/requests"].value, second["llm/cache_hits"].value) == (0, 5)
    assert first["llm/prompt_tokens"].value == 500 and first["llm/latency_p50_s"].value > 0
    assert first["classifications/llm_edu_v1__status"].value == {"not_sampled": 55, "ok": 5}
    out = lance.dataset(f"{lake}/document_classifications.lance").to_table()
    assert sorted(v for v in out.column("score__llm_edu_v1").to_pylist() if v is not None) == [3.0] * 5


def test_many_batches_on_a_process_pool_equal_one_batch_in_process(lake):
    _write_clean(lake, n=300)
    assert _materialize(lake, [quality_model]).success
    tables = []
    for rows, executor in ((4096, LocalExecutor(workers=0)), (64, LocalExecutor(workers=2))):
        config = dg.RunConfig(ops={"document_classifications": {"config": {"batch_rows": rows,
                                                                           "executor_min_rows": 100}}})
        assert _materialize(lake, [document_classifications], partition_key=DAY, executor=executor,
                            run_config=config).success
        tables.append(lance.dataset(f"{lake}/document_classifications.lance").to_table().sort_by("doc_id"))
    assert tables[0].num_rows == 300 and tables[0].equals(tables[1])


def test_quality_check_fails_as_an_error_when_length_does_as_well(tmp_path):
    def check(auc: float, base: float, **heldout) -> dg.AssetCheckResult:
        model = ngram_model.NgramModel(
            weights=np.zeros(8, np.float32), bias=0.0, params=ngram_model.TrainParams(n_buckets=8),
            metrics={"holdout_roc_auc": auc, "length_baseline_roc_auc": base, **heldout},
        )
        uri = str(tmp_path / f"q{auc}-{base}-{len(heldout)}.lance")
        lance.write_dataset(ngram_model.to_table(model, "quality_v1"), uri)
        return checks.quality_model_beats_length(lance.dataset(uri))

    assert check(1.0, 0.5).passed
    failed = check(1.0, 1.0)
    assert not failed.passed and failed.severity == dg.AssetCheckSeverity.ERROR
    tiny = {"holdout_size": 52, "n_holdout_pos": 12, "n_holdout_neg": 40, "holdout_roc_auc_ci_low": 0.9,
            "holdout_roc_auc_ci_high": 1.0, "holdout_ci_level": 0.95, "holdout_min_per_class": 30,
            "holdout_reliable": False}
    warned = check(1.0, 1.0, **tiny)
    assert not warned.passed and warned.severity == dg.AssetCheckSeverity.WARN
    assert "UNRELIABLE" in warned.description and warned.metadata["holdout_reliable"].value is False


def test_an_outage_fails_the_error_share_check_and_keeps_earlier_labels(lake, tmp_path):
    _write_clean(lake, n=40)
    run_config = dg.RunConfig(ops={"document_classifications": {"config": {"llm_max_docs": 4}}})
    with serve() as (url, server):
        def llm(cache: str) -> LLMResource:
            return LLMResource(base_url=url, model="tiny-llm", cache_uri=str(tmp_path / cache),
                               backoff_initial_s=0.01, backoff_max_s=0.02, max_retries=1)

        assert _materialize(lake, [quality_model], llm=llm("a.lance")).success
        selection = dg.AssetSelection.assets(document_classifications) | dg.AssetSelection.checks(
            llm_checks.llm_error_share)
        good = _materialize(lake, selection, partition_key=DAY, llm=llm("a.lance"), run_config=run_config,
                            extra_checks=[llm_checks.llm_error_share])
        assert good.success and all(e.passed for e in good.get_asset_check_evaluations())
        server.outage = True
        down = _materialize(lake, selection, partition_key=DAY, llm=llm("b.lance"), run_config=run_config,
                            extra_checks=[llm_checks.llm_error_share], raise_on_error=False)
    assert not down.success  # the blocking ERROR check fails the run
    [check] = [e for e in down.get_asset_check_evaluations() if e.check_name == "llm_error_share"]
    assert not check.passed and check.severity == dg.AssetCheckSeverity.ERROR
    assert check.metadata["llm_edu_v1/failed"].value == check.metadata["llm_edu_v1/asked"].value == 4
    meta = down.asset_materializations_for_node("document_classifications")[0].metadata
    assert meta["llm/earlier_labels_kept"].value == 4
    out = lance.dataset(f"{lake}/document_classifications.lance").to_table(filter=f"day = '{DAY}'")
    asked = [r for r in out.to_pylist() if r["llm_edu_v1__status"] != "not_sampled"]
    assert [(r["score__llm_edu_v1"], r["llm_edu_v1__status"], r["llm_edu_v1__error"]) for r in asked] == [
        (3.0, "ok", "http_500; earlier label kept")] * 4
