import hashlib

import dagster as dg
import lance
import pyarrow as pa
import pytest

from platform_assets import spec_versions
from platform_assets.mixtures import checks
from platform_assets.mixtures.mixtures import (
    UnscannedDaysError,
    build_mixtures_asset,
)
from platform_assets.mixtures.sampling import InsufficientTokensError
from platform_assets.mixtures.spec import MixtureSpecError
from tests.platform_assets import staleness
from tests.platform_assets.mixtures.conftest import (
    CONTAMINATED,
    CUT_ONLY,
    HELD_OUT,
    MIX_SPEC,
    contamination,
    scanned_instance,
    write,
)

CHECKS = [checks.mixtures_exclude_eval_documents, checks.mixtures_ratios_on_target]


def _materialize(engine, io_manager, key="mix", with_checks=False, raise_on_error=True, instance=None):
    return dg.materialize([build_mixtures_asset(), *(CHECKS if with_checks else [])], partition_key=key,
                          resources={"sql_engine": engine, "lance_io_manager": io_manager},
                          raise_on_error=raise_on_error, instance=instance or scanned_instance())


def _rows(lake, version=None, mixture="mix") -> pa.Table:
    ds = lance.dataset(f"{lake}/mixtures.lance", version=version)
    return ds.to_table(filter=f"mixture = '{mixture}'").sort_by("sample_index")


def _content_hash(table: pa.Table) -> str:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as w:
        w.write_table(table.combine_chunks())
    return hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest()


def _metadata(result) -> dict:
    return result.get_asset_materialization_events()[0].materialization.metadata


def test_mixture_hits_token_budgets_and_excludes_eval_documents(lake, engine, io_manager, spec_dir):
    result = _materialize(engine, io_manager, with_checks=True)
    rows = _rows(lake)
    assert rows.column_names == ["mixture", "sample_index", "doc_id", "component", "epoch", "text",
                                 "token_count"]
    assert rows.column("sample_index").to_pylist() == list(range(rows.num_rows))
    by_comp = {r["component"]: r for r in rows.group_by("component").aggregate(
        [("token_count", "sum"), ("epoch", "max"), ("doc_id", "count_distinct")]).to_pylist()}
    assert {c: r["token_count_sum"] for c, r in by_comp.items()} == {"prose": 1000, "code": 600, "math": 400}
    assert by_comp["math"]["epoch_max"] == 1 and by_comp["math"]["doc_id_count_distinct"] == 10
    assert not {CONTAMINATED, CUT_ONLY, HELD_OUT} & set(rows.column("doc_id").to_pylist())
    meta = _metadata(result)
    table = meta["mixture/components"].value
    assert [c.name for c in table.schema.columns][:5] == [  # key columns first: asked, then achieved
        "name", "target_ratio", "achieved_ratio", "target_tokens", "achieved_tokens"]
    math = next(r.data for r in table.records if r.data["name"] == "math")
    assert (math["target_tokens"], math["achieved_tokens"], math["repetition_factor"]) == (400, 400, 2.0)
    assert not [k for k in meta if k.startswith(("tokens/", "repetition/"))]  # one table, not flat keys
    assert meta["mixture/samples"].value == rows.num_rows == 10 + 12 + 20
    assert meta["inputs/clean_documents/lance_version"].value == 1
    tag = meta["inputs/clean_documents/lance_tag"].value
    assert lance.dataset(f"{lake}/clean_documents.lance").tags.list()[tag]["version"] == 1
    assert all(e.passed for e in result.get_asset_check_evaluations())
    assert meta["summary/composition"].value.splitlines()[:2] == [
        "mixture mix: 42 samples, 2,000 tokens",
        "  prose            target 50.00% achieved 50.00% (1,000/1,000 tokens, 10 docs, x0.36 of pool)"]


def test_same_spec_and_inputs_give_identical_output_and_data_version(lake, engine, io_manager, spec_dir):
    runs = [_materialize(engine, io_manager) for _ in range(2)]
    tags = [r.get_asset_materialization_events()[0].materialization.tags for r in runs]
    assert tags[0]["dagster/data_version"] == tags[1]["dagster/data_version"]
    first, second = (_metadata(r) for r in runs)
    v1, v2 = first["lance/version"].value, second["lance/version"].value
    assert first["mixture/spec_hash"] == second["mixture/spec_hash"]
    assert v1 != v2
    assert _content_hash(_rows(lake, v1)) == _content_hash(_rows(lake, v2))


def test_another_seed_gives_another_order_with_the_same_composition(lake, engine, io_manager, spec_dir):
    _materialize(engine, io_manager)
    (spec_dir / "other.yaml").write_text(MIX_SPEC.format(name="other", seed=8))
    _materialize(engine, io_manager, key="other")
    a, b = _rows(lake, mixture="mix"), _rows(lake, mixture="other")
    assert a.column("doc_id").to_pylist() != b.column("doc_id").to_pylist()
    key = ["doc_id", "component", "epoch", "text", "token_count"]
    assert _content_hash(a.select(key).sort_by([(k, "ascending") for k in key[:3]])) == \
        _content_hash(b.select(key).sort_by([(k, "ascending") for k in key[:3]]))


def test_editing_one_spec_marks_only_its_mixture_stale(lake, engine, io_manager, spec_dir):
    """The edited spec's partition is stale, the other fresh; undone, it is fresh again; rerun right after an
    edit (no `maslow status` or sensor tick in between), the run records the spec it read and stays fresh."""
    path = spec_dir / "other.yaml"
    path.write_text(MIX_SPEC.format(name="other", seed=3))
    instance = scanned_instance()
    for key in ("mix", "other"):
        _materialize(engine, io_manager, key=key, instance=instance)
    resources = {"sql_engine": engine, "lance_io_manager": io_manager}
    stale = lambda: staleness.stale(instance, _with_specs(build_mixtures_asset()), resources, "mixtures")  # noqa: E731
    assert stale() == {}
    original = path.read_text()
    path.write_text(original.replace("seed: 3", "seed: 4"))
    assert stale() == {"other": ["has a new dependency data version (mixture_specs)"]}
    path.write_text(original)
    assert stale() == {}
    path.write_text(original.replace("seed: 3", "seed: 5"))
    _materialize(engine, io_manager, key="other", instance=instance)
    assert stale() == {}


def _with_specs(asset: dg.AssetsDefinition) -> list[dg.AssetsDefinition]:
    return [asset, spec_versions.family_asset("mixture_specs", asset.partitions_def)]
def test_too_small_component_fails_naming_component_and_tokens(lake, engine, io_manager, spec_dir):
    path = spec_dir / "mix.yaml"
    path.write_text(path.read_text().replace("max_repetition_ratio: 2.5", "max_repetition_ratio: 1.5"))
    with pytest.raises(InsufficientTokensError) as e:
        _materialize(engine, io_manager)
    assert str(e.value).startswith(f"{path}: component 'math' is too small for its share: "
                                   "200 tokens available, 400 tokens needed (0.2 of requested_tokens 2,000)")


def test_missing_exclusion_source_and_bad_column_are_clear_errors(lake, engine, io_manager, spec_dir):
    path = spec_dir / "mix.yaml"
    math = "select doc_id, text, token_count from {{ ref('clean_documents') }} where domain = 'math'"
    path.write_text(path.read_text().replace(math, math.replace("text", "txt")))
    with pytest.raises(MixtureSpecError, match=r"\.yaml:\d+: components\[2\]\.sql: .*txt"):
        _materialize(engine, io_manager)
    (lake / "heldout_documents.lance").rename(lake / "gone.lance")
    with pytest.raises(MixtureSpecError, match=r"ref\('heldout_documents'\) \}\} has no Lance dataset yet "
                                               r".*held-out documents are always excluded"):
        _materialize(engine, io_manager)


def test_a_day_never_scanned_for_contamination_fails_naming_it(lake, engine, io_manager, spec_dir):
    with pytest.raises(UnscannedDaysError) as e:
        _materialize(engine, io_manager, instance=scanned_instance(["2026-01-02"]))
    assert str(e.value).startswith(f"{spec_dir / 'mix.yaml'}: clean_documents days 2026-01-01 have no "
                                   "materialized contamination partition")
    with pytest.raises(UnscannedDaysError, match="days 2026-01-01, 2026-01-02 have no"):
        _materialize(engine, io_manager, instance=scanned_instance([]))
    assert not (lake / "mixtures.lance").exists()
    path = spec_dir / "mix.yaml"
    path.write_text(path.read_text() + "exclusions:\n  contaminated: false\n")  # opted out: not needed
    _materialize(engine, io_manager, instance=scanned_instance([]))


def test_leak_check_catches_late_contamination(lake, engine, io_manager, spec_dir):
    _materialize(engine, io_manager)
    in_mix = _rows(lake).column("doc_id")[0].as_py()
    write(lake, "contamination", contamination([in_mix], ["cut"]))
    leak = checks.mixtures_exclude_eval_documents(sql_engine=engine)
    assert not leak.passed and leak.severity == dg.AssetCheckSeverity.ERROR
    assert leak.metadata["leaked_documents"].value == {"mix": 1}
    assert leak.metadata["examples"].value == {"mix": [in_mix]}


def test_ratio_check_compares_with_the_spec_that_wrote_the_data(lake, engine, io_manager, spec_dir):
    instance = scanned_instance()
    _materialize(engine, io_manager, with_checks=True, instance=instance)
    path = spec_dir / "mix.yaml"
    path.write_text(path.read_text().replace("0.5", "0.45").replace("0.3", "0.35"))  # edited, not rerun
    context = dg.build_asset_check_context(instance=instance)
    ratios_before = checks.mixtures_ratios_on_target(context, sql_engine=engine)
    assert ratios_before.passed
    path.write_text("components: [unclosed\n")  # broken: the check does not read it
    assert checks.mixtures_ratios_on_target(context, sql_engine=engine).passed
    # the largest document (100 tokens) is 5% of 2,000: ratios within one document's share pass
    assert ratios_before.metadata["tolerance_by_mixture"].value == {"mix": 0.05}
    lance.dataset(f"{lake}/mixtures.lance").delete("component = 'math'")  # 400 of 2,000 tokens
    ratios = checks.mixtures_ratios_on_target(context, sql_engine=engine)
    assert not ratios.passed
    off = {c: round(v["achieved"], 4) for c, v in ratios.metadata["off_target"].value["mix"].items()}
    assert off == {"prose": round(1000 / 1600, 4), "code": round(600 / 1600, 4), "math": 0.0}
    assert ratios.metadata["off_target"].value["mix"]["prose"]["target"] == 0.5
    fresh = dg.build_asset_check_context(instance=dg.DagsterInstance.ephemeral())
    unrecorded = checks.mixtures_ratios_on_target(fresh, sql_engine=engine)
    assert unrecorded.passed and unrecorded.metadata["unrecorded"].value == ["mix"]


def test_leak_check_is_an_error_for_held_out_and_opted_out_contaminated_documents(lake, engine, io_manager,
                                                                                 spec_dir):
    path = spec_dir / "mix.yaml"
    path.write_text(path.read_text() + "exclusions:\n  contaminated: false\n")
    _materialize(engine, io_manager)
    first, second = _rows(lake).column("doc_id").to_pylist()[:2]
    write(lake, "contamination", contamination([first], ["drop"]))
    write(lake, "heldout_documents", pa.table({"doc_id": [second], "day": ["2026-01-02"]}))
    leak = checks.mixtures_exclude_eval_documents(sql_engine=engine)
    assert not leak.passed and leak.severity == dg.AssetCheckSeverity.ERROR
    assert sorted(leak.metadata["examples"].value["mix"]) == sorted([first, second])
    assert leak.metadata["opted_out"].value == ["mix"]


def test_graph_edges_come_from_spec_refs_and_read_every_upstream_day(spec_dir, engine, io_manager):
    daily = dg.DailyPartitionsDefinition(start_date="2026-01-01")
    upstream = [dg.AssetSpec(name, partitions_def=daily) for name in
                ("clean_documents", "contamination", "heldout_documents")]
    defs = dg.Definitions(assets=[*upstream, build_mixtures_asset()],
                          resources={"sql_engine": engine, "lance_io_manager": io_manager})
    dg.Definitions.validate_loadable(defs)  # a static partition over daily inputs needs an explicit mapping
    parents = defs.resolve_asset_graph().get(dg.AssetKey("mixtures")).parent_keys
    assert parents == {dg.AssetKey(n) for n in ("clean_documents", "contamination", "heldout_documents",
                                                "mixture_specs")}
