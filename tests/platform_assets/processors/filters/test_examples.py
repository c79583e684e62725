"""Every registered filter's own examples: each text gets exactly the expected reason code (None = kept)."""

import pytest

from platform_assets.processors import registry
from platform_assets.processors.features import TextBatch


@pytest.mark.parametrize("name", registry.names())
def test_examples_give_their_reason_codes(name):
    f = registry.build(name)
    assert f.examples, f"{name} declares no examples"
    verdict = f.judge(TextBatch.from_texts([text for text, _ in f.examples]))
    assert list(verdict.reasons) == [expected for _, expected in f.examples]


@pytest.mark.parametrize("name", registry.names())
def test_examples_cover_keep_and_drop(name):
    expected = [e for _, e in registry.get(name).examples]
    assert None in expected and any(e is not None for e in expected)


@pytest.mark.parametrize("name", registry.names())
def test_keep_one_document_matches_judge(name):
    f = registry.build(name)
    text, expected = f.examples[1]
    assert f.keep(text) == (True if expected is None else (False, expected))


def test_names_carry_a_version():
    assert all(n.rsplit("_", 1)[1].startswith("v") for n in registry.names())
    with pytest.raises(ValueError, match="_v<N>"):
        registry.register("no_version")


def test_unknown_filter_lists_the_known_ones():
    with pytest.raises(KeyError, match="gopher_quality_v1"):
        registry.get("nope_v1")
