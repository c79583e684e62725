"""Exact dedup keys: a 128-bit xxhash of each document's normalized text."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import xxhash

from platform_assets.processors.dedup.normalize import exact_key_text


def exact_hashes(texts: pa.Array) -> np.ndarray:
    """(n, 2) uint64: xxh3-128 of `exact_key_text`; equal rows mean equal normalized text.

    128 bits because 64-bit keys collide with a real chance at billions of documents.
    """
    keys = exact_key_text(texts)
    if isinstance(keys, pa.ChunkedArray):
        keys = keys.combine_chunks()
    keys = keys.cast(pa.large_string())
    if keys.null_count:
        keys = keys.fill_null("")
    offsets = np.frombuffer(keys.buffers()[1], dtype=np.int64)[keys.offset: keys.offset + len(keys) + 1]
    data = memoryview(keys.buffers()[2] or b"")
    digest = xxhash.xxh3_128_digest
    bounds = zip(offsets[:-1].tolist(), offsets[1:].tolist(), strict=True)
    out = b"".join(digest(data[s:e]) for s, e in bounds)
    return np.frombuffer(out, dtype=np.uint64).reshape(-1, 2).copy()
