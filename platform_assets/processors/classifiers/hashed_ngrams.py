"""Hashed word n-grams for a whole Arrow string array at once, in numpy (no per-document Python loop).

A token is a maximal run of word bytes: ASCII letters and digits (lower-cased), `_`, and every byte of a
non-ASCII character, so UTF-8 words stay whole. Token hashes are polynomial over the bytes, computed with
prefix sums mod 2**64 and finished with splitmix64, so they are stable across processes and machines (unlike
Python's `hash`). Bigrams combine the hashes of neighbouring tokens of the same document.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from platform_assets.processors.hashing import GOLDEN, splitmix64

_P = np.uint64(0x100000001B3)  # odd, so it is invertible mod 2**64
_P_INV = np.uint64(pow(0x100000001B3, -1, 1 << 64))
_BIGRAM_SALT = np.uint64(GOLDEN)
# Byte -> lower-cased byte for word bytes, 0 for separators: one table lookup gives both.
_FOLD = np.zeros(256, dtype=np.uint8)
for _c in b"abcdefghijklmnopqrstuvwxyz0123456789_":
    _FOLD[_c] = _c
for _c in b"ABCDEFGHIJKLMNOPQRSTUVWXYZ":
    _FOLD[_c] = _c + 32
_FOLD[0x80:] = np.arange(0x80, 0x100)
# Text bytes per chunk: its per-byte uint64 arrays (512 KB each) stay in a core's L2 cache. Measured here
# (2026-12-07, CPU us per document): 33.5 alone, 1.03x that with the other core busy; 256 KB 38.8 and
# 1.08-1.11x (its arrays spill to the shared L3 and memory); 16 KB 51 (numpy's per-call cost); 1 MiB was
# 20% slower than 256 KB.
_CHUNK_BYTES = 1 << 16
_powers: dict[str, np.ndarray] = {}


@dataclass(frozen=True)
class NgramHashes:
    """Every n-gram of a batch: its 64-bit hash and the row it belongs to; `counts[i]` n-grams in row i."""

    hashes: np.ndarray  # uint64
    rows: np.ndarray  # int64, non-decreasing
    counts: np.ndarray  # int64, one per row


def _pow_tables(n: int) -> tuple[np.ndarray, np.ndarray]:
    if len(_powers.get("p", ())) < n:
        size = max(n, 1 << 20)
        with np.errstate(over="ignore"):  # P**i and P**-i, wrapping mod 2**64
            for key, base in (("p", _P), ("inv", _P_INV)):
                _powers[key] = np.concatenate(
                    ([np.uint64(1)], np.cumprod(np.full(size - 1, base, np.uint64)))
                )
    return _powers["p"], _powers["inv"]


def _string_buffers(texts: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(bytes, offsets relative to the bytes) of a string array; nulls read as empty strings."""
    arr = (
        pc.fill_null(texts, "").cast(pa.large_string()) if texts.null_count else texts.cast(pa.large_string())
    )
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)[arr.offset : arr.offset + len(arr) + 1]
    data = (
        np.frombuffer(arr.buffers()[2], dtype=np.uint8)
        if arr.buffers()[2] is not None
        else np.zeros(0, np.uint8)
    )
    return data[offsets[0] : offsets[-1]], offsets - offsets[0]


def token_hashes(texts: pa.Array) -> NgramHashes:
    """The unigram hashes of every row of `texts` (a string array), in text order."""
    data, offsets = _string_buffers(texts)
    n = len(offsets) - 1
    if data.size == 0:
        return NgramHashes(np.zeros(0, np.uint64), np.zeros(0, np.int64), np.zeros(n, np.int64))
    folded = np.take(_FOLD, data)
    word = folded != 0
    # A row boundary always ends a token, so a token never spans two documents.
    inner = offsets[1:-1][(offsets[1:-1] > 0) & (offsets[1:-1] < data.size)]
    edge = np.diff(np.concatenate(([False], word, [False])).astype(np.int8))
    is_start, is_end = edge[:-1] == 1, edge[1:] == -1
    is_start[inner] |= word[inner]
    is_end[inner - 1] |= word[inner - 1]
    starts, ends = np.flatnonzero(is_start), np.flatnonzero(is_end) + 1
    p, inv = _pow_tables(data.size + 1)
    with np.errstate(over="ignore"):
        prefix = np.empty(data.size + 1, dtype=np.uint64)
        prefix[0] = 0
        np.cumsum(np.multiply(folded, p[: data.size], dtype=np.uint64), out=prefix[1:])
        raw = (prefix[ends] - prefix[starts]) * inv[starts]
    rows = np.searchsorted(offsets, starts, side="right") - 1
    return NgramHashes(splitmix64(raw), rows, np.bincount(rows, minlength=n))


def with_bigrams(uni: NgramHashes) -> NgramHashes:
    """Unigrams followed by the bigrams of neighbouring tokens in the same row (not grouped by row)."""
    same = uni.rows[1:] == uni.rows[:-1]
    with np.errstate(over="ignore"):
        bi = splitmix64(uni.hashes[:-1] * _BIGRAM_SALT + uni.hashes[1:])[same]
    bi_rows = uni.rows[:-1][same]
    return NgramHashes(
        np.concatenate((uni.hashes, bi)),
        np.concatenate((uni.rows, bi_rows)),
        uni.counts + np.bincount(bi_rows, minlength=len(uni.counts)),
    )


def _chunks(texts: pa.Array) -> list[tuple[int, pa.Array]]:
    """Row slices of at most ~_CHUNK_BYTES of text each (one longer row is a chunk of its own), so the
    power tables stay small. A row's sum in `NgramModel.logits` adds its unigrams, then its bigrams, in text
    order whatever the chunking, so the chunk size never changes a score."""
    sizes = np.cumsum(pc.fill_null(pc.binary_length(texts), 0).to_numpy(zero_copy_only=False))
    bounds, start = [], 0
    while start < len(texts):
        base = sizes[start - 1] if start else 0
        stop = max(start + 1, int(np.searchsorted(sizes, base + _CHUNK_BYTES, side="right")))
        bounds.append((start, texts.slice(start, stop - start)))
        start = stop
    return bounds


def chunk_buckets(
    texts: pa.Array, n_buckets: int, bigrams: bool = True
) -> Iterator[tuple[int, np.ndarray, np.ndarray, np.ndarray]]:
    """Per chunk of rows (`_chunks`): its first row, then (bucket, row within the chunk) of every n-gram and
    the n-gram count of each of its rows. A scorer that reduces chunk by chunk never holds a whole batch's
    n-grams: those arrays (16 bytes per n-gram, tens of MB a batch) were mapped and unmapped on every call,
    a third of the quality scorer's CPU in page faults."""
    for first, chunk in _chunks(texts):
        grams = token_hashes(chunk)
        if bigrams:
            grams = with_bigrams(grams)
        yield first, (grams.hashes % np.uint64(n_buckets)).astype(np.int64), grams.rows, grams.counts


def ngram_buckets(
    texts: pa.Array, n_buckets: int, bigrams: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(bucket, row) of every n-gram of `texts`, and the n-gram count of each row."""
    buckets, rows, counts = [], [], []
    for first, chunk_buckets_, chunk_rows, chunk_counts in chunk_buckets(texts, n_buckets, bigrams):
        buckets.append(chunk_buckets_)
        rows.append(chunk_rows + first)
        counts.append(chunk_counts)
    if not buckets:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(buckets), np.concatenate(rows), np.concatenate(counts)
