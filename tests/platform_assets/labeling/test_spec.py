"""Queue specs: the shipped ones load; a bad one names the file, the line and the field."""

from __future__ import annotations

import pytest

from platform_assets.labeling import spec as specs

GOOD = """\
name: q
description: d
sql: select doc_id as item_id, text from {{ ref('clean_documents') }}
question: {kind: choices, prompt: p, choices: [high, low]}
sampling:
  size: 10
  random: 0.5
"""


def test_shipped_specs_load():
    for path in specs.spec_files().values():
        assert specs.load_queue(path).name == path.stem


@pytest.mark.parametrize(("change", "line", "field", "message"), [
    (("random: 0.5", "random: 0.0"), 7, "sampling.random", "greater than 0"),
    (("random: 0.5", "random: 0.5\n  uncertainty: 0.8"), 5, "sampling", "must be <= 1"),
    (("choices: [high, low]", "choices: [high]"), 4, "question", "two distinct"),
    (("{{ ref('clean_documents') }}", "clean_documents"), 3, "sql", "reads no asset"),
    (("name: q", "name: other"), 1, "name", "must equal the file name"),
])
def test_errors_name_file_line_and_field(tmp_path, change, line, field, message):
    path = tmp_path / "q.yaml"
    path.write_text(GOOD.replace(*change))
    with pytest.raises(specs.QueueSpecError) as err:
        specs.load_queue(path)
    assert str(err.value).startswith(f"{path}:{line}: {field}: ")
    assert message in str(err.value)


def test_suggestion_must_be_an_answer(tmp_path):
    path = tmp_path / "q.yaml"
    path.write_text(GOOD + "suggestion: {above: high, below: medium}\n")
    with pytest.raises(specs.QueueSpecError, match=r"suggestion.below must be one of"):
        specs.load_queue(path)
