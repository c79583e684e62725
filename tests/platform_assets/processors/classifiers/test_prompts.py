"""Prompt templates: every shipped template's parse examples, validation errors, rendering."""

from __future__ import annotations

import pytest

from platform_assets import settings
from platform_assets.processors.classifiers.prompts import load_templates, prompt_schema

TEMPLATES = load_templates(settings.SPEC_DIR / "prompts")


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_template_examples(name):
    t = TEMPLATES[name]
    assert t.examples, f"{name} has no examples"
    for ex in t.examples:
        fields, reason = t.parse(ex["answer"])
        assert (fields, reason) == (ex.get("parsed"), ex.get("error")), ex["answer"]


def test_truncated_answers_are_never_guessed():
    t = TEMPLATES["llm_edu_v1"]
    assert t.parse('{"score": 3, "reason": "fine"}', finish_reason="length") == (None, "truncated")


def test_rendering_truncates_the_text_and_keeps_the_system_prompt():
    t = TEMPLATES["llm_edu_v1"]
    msgs = t.messages("x" * 10_000)
    assert [m["role"] for m in msgs] == ["system", "user"]
    assert "x" * t.max_chars in msgs[1]["content"] and "x" * (t.max_chars + 1) not in msgs[1]["content"]
    assert prompt_schema(t).names == [
        "score__llm_edu_v1",
        "llm_edu_v1__reason",
        "llm_edu_v1__status",
        "llm_edu_v1__error",
        "llm_edu_v1__cached",
    ]


def test_template_errors_name_the_file_and_key(tmp_path):
    (tmp_path / "bad.yaml").write_text("name: Bad\nuser: hi {text}\noutput: {s: {type: integer}}\nscore: s\n")
    with pytest.raises(ValueError, match=r"bad.yaml:\d+: name: String should match"):
        load_templates(tmp_path)
    (tmp_path / "bad.yaml").write_text(
        "name: ok_v1\nuser: hi {text}\noutput: {s: {type: integer}}\nscore: t\n"
    )
    with pytest.raises(ValueError, match=r"bad.yaml:4: score: 't' is not an output field"):
        load_templates(tmp_path)
