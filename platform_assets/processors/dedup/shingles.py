"""Shingles (word or character n-grams) of a batch of documents, hashed to uint64 with numpy."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from platform_assets.processors.dedup.normalize import words
from platform_assets.processors.dedup.presets import MinHashPreset
from platform_assets.processors.hashing import combine, hash64, mix64, windows


@dataclass(frozen=True)
class Shingles:
    """Hashed shingles: document `d` owns `values[offsets[d]:offsets[d + 1]]` (none when it is empty)."""

    values: np.ndarray
    offsets: np.ndarray

    @property
    def counts(self) -> np.ndarray:
        return np.diff(self.offsets)


def shingles(texts: pa.Array, preset: MinHashPreset) -> Shingles:
    if preset.unit == "word":
        units, lens = _word_units(texts)
    else:
        units, lens = _char_units(texts)
    return ngrams(units, lens, preset.ngram)


def ngrams(units: np.ndarray, lens: np.ndarray, n: int) -> Shingles:
    """All n-grams that stay inside one document; a document shorter than `n` (but not empty) is one shingle
    of all its units, as datatrove does."""
    lens = lens.astype(np.int64)
    starts = np.concatenate([[0], np.cumsum(lens)])
    long = lens >= n
    counts = np.where(long, lens - n + 1, (lens > 0).astype(np.int64))
    values = np.empty(int(counts.sum()), dtype=np.uint64)
    h = windows(units, n)
    if len(h):
        doc_of = np.repeat(np.arange(len(lens)), lens)[: len(h)]
        valid = np.arange(len(h)) + n <= starts[1:][doc_of]
        values[np.repeat(long, counts)] = h[valid]
    short = np.flatnonzero(~long & (lens > 0))
    values[np.repeat(~long, counts)] = [combine(units[starts[d]: starts[d + 1]]) for d in short]
    return Shingles(mix64(values), np.concatenate([[0], np.cumsum(counts)]))


def _word_units(texts: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """xxh3-64 of each word; only distinct words of the batch are hashed (dictionary encoding)."""
    lists = words(texts)
    if isinstance(lists, pa.ChunkedArray):
        lists = lists.combine_chunks()
    lens = pc.fill_null(pc.list_value_length(lists), 0).to_numpy(zero_copy_only=False)
    encoded = pc.dictionary_encode(lists.flatten())
    vocab = hash64(encoded.dictionary.to_pylist(), count=len(encoded.dictionary))
    return vocab[encoded.indices.to_numpy(zero_copy_only=False)], lens


def _char_units(texts: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Unicode code points of every document, concatenated, and each document's length in characters."""
    if isinstance(texts, pa.ChunkedArray):
        texts = texts.combine_chunks()
    texts = pc.fill_null(texts, "").cast(pa.large_string())
    lens = pc.utf8_length(texts).to_numpy(zero_copy_only=False)
    offsets = np.frombuffer(texts.buffers()[1], dtype=np.int64)[texts.offset: texts.offset + len(texts) + 1]
    data = texts.buffers()[2]
    raw = bytes(memoryview(data)[offsets[0]: offsets[-1]]) if data is not None else b""
    points = np.frombuffer(raw.decode("utf-8").encode("utf-32-le"), dtype=np.uint32)
    return points, lens
