"""Vectorized text features over a batch: lines, paragraphs and words as Arrow list arrays.

Filters never loop over words in Python: a batch is split once (RE2 in pyarrow.compute, over the whole
column) and every statistic is a numpy reduction over the flattened parts, grouped by document. Words are
datatrove 0.10.1's English words (spaCy's blank tokenizer) from `processors.splitting`, where only the
batch's distinct chunks that hold punctuation, digits or a contraction pass through Python, once each.
"""

from __future__ import annotations

from functools import cache, cached_property

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import regex

from platform_assets.processors.splitting import split_words


class Parts:
    """Pieces of each document (a ListArray), with per-document reductions over the flat pieces."""

    def __init__(self, lists: pa.ListArray | pa.LargeListArray):
        self.lists = lists
        self.flat = pc.list_flatten(lists)
        self.parent = pc.list_parent_indices(lists).to_numpy()
        self.n_docs = len(lists)

    @cached_property
    def counts(self) -> np.ndarray:
        return pc.list_value_length(self.lists).fill_null(0).to_numpy().astype(np.int64)

    @cached_property
    def lengths(self) -> np.ndarray:
        return pc.utf8_length(self.flat).to_numpy().astype(np.int64)

    @cached_property
    def ids(self) -> np.ndarray:
        """An integer id per distinct piece (equal strings share an id across the batch)."""
        return pc.dictionary_encode(self.flat).indices.to_numpy().astype(np.int64)

    def subset(self, rows: np.ndarray) -> Parts:
        """The parts of documents `rows` only (indices into this batch, ascending)."""
        return Parts(self.lists.take(pa.array(rows, pa.int64())))

    def sum(self, values: np.ndarray) -> np.ndarray:
        """Per-document sum of one value per piece (booleans count)."""
        return np.bincount(self.parent, weights=values, minlength=self.n_docs)

    def match(self, pattern: str) -> np.ndarray:
        """Boolean per piece: the RE2 `pattern` matches somewhere in it."""
        return pc.match_substring_regex(self.flat, pattern).to_numpy(zero_copy_only=False)

    def duplicates(self, where: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Per document: pieces equal to an earlier piece of the same document, and their characters.

        `where` (a boolean per piece) limits the count to those pieces (e.g. non-blank lines).
        """
        dup = ~_first_occurrence(self.parent, self.ids)
        if where is not None:
            dup &= where
        return self.sum(dup), self.sum(np.where(dup, self.lengths, 0))


def _first_occurrence(parent: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """True where (document, key) is seen for the first time, scanning in order."""
    if len(keys) == 0:
        return np.zeros(0, dtype=bool)
    # keys are < len(keys), so (document, key) packs into one int64 without collisions
    return first_seen(parent.astype(np.int64) * (int(keys.max()) + 1) + keys)


def group_ids(keys: np.ndarray) -> np.ndarray:
    """Dense ids numbered in order of first appearance (a hash table in Arrow, no sort)."""
    return pc.dictionary_encode(pa.array(keys)).indices.to_numpy().astype(np.int64)


def first_seen(keys: np.ndarray) -> np.ndarray:
    """True at the first occurrence of each key: its id exceeds every id before it."""
    ids = group_ids(keys)
    return ids > np.maximum.accumulate(np.concatenate([[-1], ids[:-1]]))


class TextBatch:
    """A batch of documents and their lazily computed, cached features."""

    def __init__(self, texts: pa.Array):
        self.texts = texts.cast(pa.large_string()) if texts.type != pa.large_string() else texts
        self.n = len(texts)
        self._positions: dict[bytes, np.ndarray] = {}  # count_bytes: table -> marked byte positions

    @classmethod
    def from_texts(cls, texts: list[str]) -> TextBatch:
        return cls(pa.array(texts, pa.large_string()))

    @cached_property
    def n_chars(self) -> np.ndarray:
        return pc.utf8_length(self.texts).to_numpy().astype(np.int64)

    def count(self, pattern: str) -> np.ndarray:
        """Per document: non-overlapping matches of the RE2 `pattern`."""
        return pc.count_substring_regex(self.texts, pattern).to_numpy().astype(np.int64)

    def count_bytes(self, table: np.ndarray, limit: np.ndarray | None = None) -> np.ndarray:
        """Per document: UTF-8 bytes whose value `table` (256 booleans) marks; numpy over the raw buffer.

        `limit`: count only within each document's first `limit[i]` bytes (a prefix's byte length). The
        marked positions are kept per table, so counting a prefix after the whole costs no second pass.
        """
        texts = self.texts
        offsets = np.frombuffer(texts.buffers()[1], np.int64)[texts.offset : texts.offset + self.n + 1]
        starts, ends = offsets[:-1] - offsets[0], offsets[1:] - offsets[0]
        if limit is not None:
            ends = np.minimum(starts + limit, ends)
        marked = self._marked(table, offsets[0], offsets[-1])
        return np.searchsorted(marked, ends) - np.searchsorted(marked, starts)

    def _marked(self, table: np.ndarray, first: int, last: int) -> np.ndarray:
        key = table.tobytes()
        if key not in self._positions:
            data = self.texts.buffers()[2]
            raw = np.frombuffer(data, np.uint8)[first:last] if data is not None else np.zeros(0, np.uint8)
            self._positions[key] = np.flatnonzero(table[raw])
        return self._positions[key]

    def count_literal(self, needle: str) -> np.ndarray:
        return pc.count_substring(self.texts, needle).to_numpy().astype(np.int64)

    @cached_property
    def lines(self) -> Parts:
        """Lines split on "\\n" (normalized text has no other line breaks), blank lines included."""
        return Parts(pc.split_pattern(self.texts, "\n"))

    @cached_property
    def nonblank(self) -> np.ndarray:
        """Boolean per line of `lines`: it holds a non-space character."""
        return self.lines.match(r"\S")

    @cached_property
    def paragraphs(self) -> Parts:
        return Parts(pc.split_pattern_regex(pc.utf8_trim_whitespace(self.texts), r"\n{2,}"))

    @cached_property
    def words(self) -> Parts:
        """Words as datatrove 0.10.1 splits English (spaCy's blank tokenizer): see `processors.splitting`."""
        return Parts(split_words(self.texts))


def ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den, 0 where den is 0 (a rule on an empty document never divides by zero)."""
    num, den = np.asarray(num, dtype=np.float64), np.asarray(den, dtype=np.float64)
    return np.divide(num, den, out=np.zeros_like(num), where=den != 0)


@cache
def sentence_terminals() -> str:
    """An RE2 character class of every Unicode Sentence_Terminal character (RE2 lacks the property)."""
    codes = np.arange(0x110000, dtype="<u4")  # every code point but the surrogates, as one string: ~5 ms
    chars = codes[(codes < 0xD800) | (codes >= 0xE000)].tobytes().decode("utf-32-le")
    found = sorted(set(regex.findall(r"\p{Sentence_Terminal}", chars)))
    return "[" + "".join(regex.escape(c) for c in found) + "]"


def byte_table(ascii_chars: str, non_ascii: bool) -> np.ndarray:
    """A 256-entry table for `count_bytes`: the given ASCII characters, plus every non-ASCII character
    (counted once, by its UTF-8 lead byte) when `non_ascii`."""
    table = np.zeros(256, dtype=bool)
    table[[ord(c) for c in ascii_chars]] = True
    table[0xC0:] = non_ascii
    return table


ASCII_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
ASCII_ALNUM = ASCII_LETTERS + "0123456789"
