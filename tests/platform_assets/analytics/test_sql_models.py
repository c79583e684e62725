import dagster as dg
import lance
import pyarrow as pa
import pytest

from platform_assets import settings
from platform_assets.analytics.sql_models import SqlModelError, build_all, load_models, parse_model
from platform_assets.partitions import daily_partitions
from resources.duckdb_engine import DuckDBEngine
from resources.lance_io_manager import LanceIOManager
from resources.trino_engine import to_trino
from tests.platform_assets.analytics import small_lake

MODEL = """/* ---
description: Tokens per source.
partitioning: {partitioning}
grain: [source]
descriptions: {{tokens: o200k tokens of the source's documents}}
columns:
  source: [not_null, unique]
  tokens: [non_negative, {{accepted_values: [10, 30]}}]
--- */
select source, cast(sum(token_count) as bigint) as tokens from {{{{ ref('docs') }}}} group by source
"""


def _write(folder, name, text):
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.sql").write_text(text)
    return folder / f"{name}.sql"


def test_header_is_parsed_into_description_partitioning_and_checks(tmp_path):
    model = parse_model(_write(tmp_path, "by_source", MODEL.format(partitioning="daily")))
    header = model.header
    assert (model.name, header.description, header.partitioning) == ("by_source", "Tokens per source.",
                                                                     "daily")
    assert model.refs == ["docs"]
    assert [name for name, _ in model.checks()] == [
        "source__not_null", "source__unique", "tokens__non_negative", "tokens__accepted_values"]


@pytest.mark.parametrize("text, message", [
    ("select 1 from {{ ref('docs') }}", "must start with a /* --- <YAML header> --- */"),
    (MODEL.format(partitioning="hourly"), "partitioning: Input should be 'none' or 'daily'"),
    (MODEL.format(partitioning="none").replace("non_negative", "positive"),
     ":8: columns.tokens[0]: unknown check 'positive'"),
    (MODEL.format(partitioning="none").replace("{{ ref('docs') }}", "{{ source('docs') }}"), "only {{ ref"),
])
def test_bad_models_name_the_file_and_field(tmp_path, text, message):
    path = _write(tmp_path, "bad", text)
    with pytest.raises(SqlModelError) as e:
        parse_model(path)
    assert str(e.value).startswith(str(path)) and message in str(e.value)


def test_refs_are_the_only_graph_edges(tmp_path):
    _write(tmp_path, "by_source", MODEL.format(partitioning="none"))
    _write(tmp_path, "top_source", "/* ---\ndescription: The biggest source.\n--- */\n"
                                   "select * from {{ ref('by_source') }} order by tokens desc limit 1")
    assets, checks = build_all(tmp_path)
    resources = {"sql_engine": DuckDBEngine(root_uri=str(tmp_path)),
                 "lance_io_manager": LanceIOManager(root_uri=str(tmp_path))}
    graph = dg.Definitions(assets=assets, asset_checks=checks, resources=resources).resolve_asset_graph()
    assert graph.get(dg.AssetKey("top_source")).parent_keys == {dg.AssetKey("by_source")}
    assert graph.get(dg.AssetKey("by_source")).parent_keys == {dg.AssetKey("docs")}
    assert len(checks) == 1  # top_source declares no column checks


def test_model_materializes_per_day_and_its_checks_run(tmp_path, maslow_home):
    lake = maslow_home / "lake"
    day = daily_partitions.get_last_partition_key()
    days = [day, "2000-01-01", day, "2000-01-01"]
    docs = pa.table({"source": ["a", "a", "b", "b"], "token_count": [10, 5, 30, 7], "day": days})
    lance.write_dataset(docs, lake / "docs.lance")
    _write(tmp_path / "models", "by_source", MODEL.format(partitioning="daily"))
    assets, checks = build_all(tmp_path / "models")
    result = dg.materialize([*assets, *checks], partition_key=day, selection=["by_source"],
                            resources={"sql_engine": DuckDBEngine(root_uri=str(lake)),
                                       "lance_io_manager": LanceIOManager(root_uri=str(lake))})
    rows = lance.dataset(lake / "by_source.lance").to_table().sort_by("source").to_pylist()
    columns = result.asset_materializations_for_node("by_source")[0].metadata["dagster/column_schema"]
    assert {c.name: c.description for c in columns.value.columns} == {
        "source": "row key (grain: source); checked: not_null, unique",
        "tokens": "o200k tokens of the source's documents; checked: non_negative, accepted_values [10, 30]",
        "day": "the day partition (YYYY-MM-DD)"}
    assert rows == [{"source": "a", "tokens": 10, "day": day}, {"source": "b", "tokens": 30, "day": day}]
    assert {e.check_name: e.passed for e in result.get_asset_check_evaluations()} == {
        "source__not_null": True, "source__unique": True, "tokens__non_negative": True,
        "tokens__accepted_values": True}


def test_project_models_transpile_to_trino_and_run_on_the_real_upstream_schemas(tmp_path):
    for name, table in small_lake.tables().items():
        lance.write_dataset(table.schema.empty_table(), tmp_path / f"{name}.lance")
    engine = DuckDBEngine(root_uri=str(tmp_path))
    models = load_models(settings.SPEC_DIR / "analytics")
    assert {m.name for m in models} >= {
        "corpus_by_source_domain_language", "clean_funnel_by_reason", "classification_distributions",
        "length_histograms", "language_mix", "dedup_rates", "contamination_by_eval_set",
        "mixture_composition", "preference_pair_outcomes", "label_agreement"}
    for model in models:
        to_trino(model.sql, "lance", "lake", versions={r: 3 for r in model.refs})  # raises on a grammar error
        out = engine.query(model.sql, ref_filters={r: "day = '2026-01-01'" for r in model.refs
                                                   if "day" in engine.schema(r).names}).read_all()
        declared = set(model.header.columns) | set(model.header.chart.fields().values()) | set(
            model.header.descriptions)
        assert declared <= set(out.column_names), (model.name, declared - set(out.column_names))
        if model.header.merge:
            merged = set(model.header.grain) | set(model.header.merge.columns())
            assert set(out.column_names) == merged, model.name


def _label_agreement(lake, tables: dict[str, pa.Table]) -> dict[str, dict]:
    for name, table in tables.items():
        lance.write_dataset(table, lake / f"{name}.lance")
    model = parse_model(settings.SPEC_DIR / "analytics" / "label_agreement.sql")
    out = DuckDBEngine(root_uri=str(lake)).query(model.sql).read_all().to_pylist()
    return {r["measure"]: (r["value"], r["out_of"]) for r in out if r["queue"] == "q"} if out else {}


def test_label_agreement_counts_latest_answers_pairs_suggestions_and_gold(tmp_path):
    figures = _label_agreement(tmp_path, small_lake.labeling())
    assert figures == {
        "tasks": (5, None), "items_answered": (4, 5), "annotations": (6, None), "annotators": (2, None),
        "overlap_items": (2, 4),           # i1, i2; the cancelled i5 is no answer
        "pairwise_agreement": (1, 2),      # i2: a's later answer `low` replaced her `high`
        "suggestion_accepted": (3, 5),     # i4's annotator saw no suggestion
        "annotator_gold_accuracy": (1, 1),  # only i3 has a gold answer
        "model_gold_accuracy": (1, 2),     # random slice at label version 2: i3 wrong (gold), i4 right
    }


def test_label_agreement_over_empty_labeling_assets_has_no_rows(tmp_path):
    empty = {name: t.schema.empty_table() for name, t in small_lake.labeling().items()}
    assert _label_agreement(tmp_path, empty) == {}


def _run_model(lake, folder):
    assets, checks = build_all(folder)
    return dg.materialize([*assets, *checks], selection=[assets[0].key], raise_on_error=False,
                          resources={"sql_engine": DuckDBEngine(root_uri=str(lake)),
                                     "lance_io_manager": LanceIOManager(root_uri=str(lake))})


def _failure(result) -> str:
    from platform_assets.cli.runner import failure_message

    assert not result.success
    return failure_message(result)


def test_engine_errors_name_the_file_line_and_unknown_refs_say_no_such_asset(tmp_path, maslow_home):
    lake = maslow_home / "lake"
    lance.write_dataset(pa.table({"source": ["a"], "token_count": [10]}), lake / "docs.lance")
    text = MODEL.format(partitioning="none").replace("select source,", "select source,\n  sorce,")
    path = _write(tmp_path / "models", "by_source", text)
    message = _failure(_run_model(lake, tmp_path / "models"))
    # the typo is on line 11 of the file (line 2 of the query DuckDB ran); no internal `__ref__` names
    assert message.startswith(f"{path}:11: (sql): Binder Error: Referenced column \"sorce\" not found")
    assert "__ref__" not in message

    path.write_text(MODEL.format(partitioning="none").replace("ref('docs')", "ref('doc')"))
    message = _failure(_run_model(lake, tmp_path / "models"))
    assert message.startswith(f"{path}:10: (sql): ref('doc'): no such asset 'doc'")
