from pathlib import Path

import pyarrow as pa
import pytest

from platform_assets import settings
from platform_assets.mixtures.spec import MixtureSpecError, load_spec, spec_files

GOOD = """
name: {name}
description: two parts
requested_tokens: 1000
components:
  - name: a
    sql: select doc_id, text, token_count from {{{{ ref('clean_documents') }}}}
    target_ratio: {ra}
  - name: b
    sql: select doc_id, text, token_count from {{{{ ref('clean_documents') }}}}
    target_ratio: 0.4
    max_repetition_ratio: {rep}
"""


def _write(tmp_path, text, name="m") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    return path


def test_valid_spec_loads_with_defaults(tmp_path):
    spec = load_spec(_write(tmp_path, GOOD.format(name="m", ra=0.6, rep=1)))
    assert (spec.seed, spec.exclusions.contaminated, spec.exclusions.heldout) == (42, True, True)
    assert spec.refs() == ["clean_documents", "contamination", "heldout_documents"]


@pytest.mark.parametrize("ra, rep, field, words", [
    (0.5, 1, "5: components", "must sum to 1, they sum to 0.9"),
    (0.6, 0.5, "12: components[1].max_repetition_ratio", "greater than or equal to 1"),
    (-0.6, 1, "8: components[0].target_ratio", "greater than 0"),
])
def test_errors_name_the_file_and_the_field(tmp_path, ra, rep, field, words):
    path = _write(tmp_path, GOOD.format(name="m", ra=ra, rep=rep))
    with pytest.raises(MixtureSpecError) as e:
        load_spec(path)
    assert f"{path}:{field}" in str(e.value) and words in str(e.value)


def test_unknown_field_missing_ref_and_name_mismatch(tmp_path):
    bad = GOOD.format(name="m", ra=0.6, rep=1).replace("description:", "colour: red\ndescription:")
    with pytest.raises(MixtureSpecError, match=r"m.yaml:3: colour: Extra inputs are not permitted"):
        load_spec(_write(tmp_path, bad))
    no_ref = GOOD.format(name="m", ra=0.6, rep=1).replace("{{ ref('clean_documents') }}", "docs", 1)
    with pytest.raises(MixtureSpecError, match=r"m.yaml:7: components\[0\].sql: the query reads no"):
        load_spec(_write(tmp_path, no_ref))
    with pytest.raises(MixtureSpecError, match=r"other.yaml:2: name: 'm' must equal the file name 'other'"):
        load_spec(_write(tmp_path, GOOD.format(name="m", ra=0.6, rep=1), name="other"))


def test_yaml_syntax_error_names_the_line(tmp_path):
    with pytest.raises(MixtureSpecError, match=r"m.yaml:4: \(yaml\): not valid YAML: expected ',' or ']'"):
        load_spec(_write(tmp_path, "name: m\ncomponents:\n  - [unclosed\n"))


def test_sample_specs_are_valid():
    files = spec_files(settings.SPEC_DIR / "mixtures")
    assert set(files) >= {"broad_pretrain", "code_heavy", "post_training_difficulty"}
    for path in files.values():
        load_spec(path)


def test_sample_spec_sql_binds_against_the_real_upstream_schemas(tmp_path):
    """Every component of every sample spec runs against empty tables with the producers' own schemas."""
    import lance

    from platform_assets.eval_sets.contamination import CONTAMINATION_SCHEMA
    from platform_assets.mixtures.build import component_sql
    from platform_assets.processors.classifiers import stack
    from platform_assets.processors.dedup.schemas import CLEAN_SCHEMA
    from platform_assets.processors.media.schemas import CLEAN_MEDIA_SCHEMA
    from platform_assets.synthetics.schema import output_schema
    from resources.duckdb_engine import DuckDBEngine

    keys = [pa.field("doc_id", pa.string()), pa.field("day", pa.string())]
    schemas = {"clean_documents": CLEAN_SCHEMA, "contamination": CONTAMINATION_SCHEMA,
               "heldout_documents": CLEAN_SCHEMA.append(pa.field("heldout_score", pa.float64())),
               "document_classifications": stack.output_schema(stack.build_stack(
                   [n for n in stack.DEFAULT_CLASSIFIERS if n != "quality_v1"]), keys)
               .append(pa.field("score__quality_v1", pa.float32())),
               "clean_media": CLEAN_MEDIA_SCHEMA, "preference_pairs": output_schema([], pa.schema([])).pairs}
    for name, schema in schemas.items():
        lance.write_dataset(schema.empty_table(), tmp_path / f"{name}.lance")
    engine = DuckDBEngine(root_uri=str(tmp_path))
    for path in spec_files(settings.SPEC_DIR / "mixtures").values():
        spec = load_spec(path)
        for c in spec.components:
            out = engine.query(component_sql(spec, c)).read_all()
            assert out.column_names == ["doc_id", "text", "token_count", *spec.output_columns], (path, c.name)


def test_heldout_exclusion_cannot_be_turned_off(tmp_path):
    text = GOOD.format(name="m", ra=0.6, rep=1)
    path = _write(tmp_path, text + "exclusions:\n  heldout: false\n")
    with pytest.raises(MixtureSpecError) as e:
        load_spec(path)
    assert f"{path}:14: exclusions.heldout: held-out documents never enter" in str(e.value)
    spec = load_spec(_write(tmp_path, text + "exclusions:\n  contaminated: false\n"))
    assert spec.refs() == ["clean_documents", "heldout_documents"]


@pytest.mark.parametrize("ra, ok", [(0.59999, True), (0.60001, True), (0.5999, False), (0.9, False)])
def test_ratios_sum_to_one_within_olmo_cores_tolerance(tmp_path, ra, ok):
    """OLMo-core accepts three components of 0.33333 (|sum - 1| within 1e-5) and refuses 0.7 + 0.5."""
    path = _write(tmp_path, GOOD.format(name="m", ra=ra, rep=1))
    if ok:
        assert load_spec(path).components[0].target_ratio == ra
    else:
        with pytest.raises(MixtureSpecError, match="must sum to 1"):
            load_spec(path)
