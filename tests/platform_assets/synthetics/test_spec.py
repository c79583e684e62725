"""Synthetics specs: the shipped ones load; a bad one fails naming the file and the field."""

import pytest

from platform_assets.synthetics import spec as specs

GOOD = """
name: {name}
description: test
sql: select doc_id, text from {{{{ ref('clean_documents') }}}}
generator: {{name: perturb_v1}}
judge: {{name: verifier_v1, params: {{cpu_s: 1}}}}
"""


def _write(tmp_path, body: str, name: str = "s"):
    path = tmp_path / f"{name}.yaml"
    path.write_text(body)
    return path


def test_shipped_specs_load():
    files = specs.spec_files()
    assert files, "dbt_like_sql/synthetics/ holds at least one spec"
    for path in files.values():
        spec = specs.load_spec(path)
        assert spec.refs()


def test_good_spec_defaults(tmp_path):
    spec = specs.load_spec(_write(tmp_path, GOOD.format(name="s")))
    assert spec.generator.name == "perturb_v1" and spec.judge.params == {"cpu_s": 1}
    assert spec.gates.decontaminate and spec.gates.decontam_preset == "lm_eval"


@pytest.mark.parametrize(("edit", "field", "message"), [
    (("perturb_v1", "perturb_v9"), "generator", "unknown synthetics step 'perturb_v9'"),
    (("verifier_v1", "perturb_v1"), "judge", "is a generator, not a judge"),
    (("cpu_s: 1", "cpu_s: 0"), "judge", "cpu_s"),
    (("cpu_s: 1", "cpus: 1"), "judge", "cpus"),
    (("{{ ref('clean_documents') }}", "clean_documents"), "sql", "reads no asset"),
    (("description: test", "description: test\nsamples_per_prompt: 0"), "samples_per_prompt", "greater"),
    (("description: test", "description: test\ncolour: red"), "colour", "Extra inputs"),
])
def test_bad_spec_names_file_and_field(tmp_path, edit, field, message):
    body = GOOD.format(name="s").replace(*edit)
    path = _write(tmp_path, body)
    with pytest.raises(specs.SynthSpecError) as e:
        specs.load_spec(path)
    assert str(path) in str(e.value) and f": {field}" in str(e.value) and message in str(e.value)


def test_yaml_error_names_the_line_and_name_must_match_file(tmp_path):
    with pytest.raises(specs.SynthSpecError, match=r"s\.yaml:2: \(yaml\): not valid YAML"):
        specs.load_spec(_write(tmp_path, "name: s\ndescription: : x: [\nsql: y\n"))
    with pytest.raises(specs.SynthSpecError, match="must equal the file name"):
        specs.load_spec(_write(tmp_path, GOOD.format(name="other")))



def test_a_generator_that_pairs_its_own_samples_needs_two(tmp_path):
    body = GOOD.format(name="s").replace("perturb_v1", "llm_v1") + "samples_per_prompt: 1\n"
    with pytest.raises(specs.SynthSpecError, match="samples_per_prompt: llm_v1 pairs its own samples"):
        specs.load_spec(_write(tmp_path, body))
