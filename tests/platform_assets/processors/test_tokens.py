"""Token counts with the bundled OpenAI vocabularies (no download)."""

import pytest

from platform_assets.processors import tokens


def test_known_token_ids():
    assert tokens.encoding("o200k_base").encode_ordinary("hello world") == [24912, 2375]
    assert tokens.encoding("cl100k_base").encode_ordinary("hello world") == [15339, 1917]


def test_counts():
    counts = tokens.count_tokens(["hello world", "", "<|endoftext|>", "héllo wörld " * 10])
    assert counts.dtype.name == "int32"
    assert counts[:2].tolist() == [2, 0] and counts[2] > 1 and counts[3] > 20
    assert tokens.count_tokens([]).tolist() == []
    assert tokens.count_tokens(["hello world"] * 3, threads=2).tolist() == [2, 2, 2]


def test_unknown_encoding_and_tampered_vocabulary():
    with pytest.raises(ValueError, match="not bundled"):
        tokens.encoding("gpt2")
    with pytest.raises(ValueError, match="SHA-256"):
        tokens._bundled_ranks("https://x/cl100k_base.tiktoken", expected_hash="0" * 64)
