"""Decontamination: word n-gram overlap between training text and eval items (lm-eval-harness semantics).

Words are whitespace-separated tokens, lower-cased per character, with ASCII punctuation (and NUL)
deleted; a token left empty is skipped. Each n-gram is hashed to a uint64 with numpy (no Python loop over
words), so the index is a sorted uint64 array and checking a batch costs O(characters + n-grams x
log(index)). Spans are half-open character offsets `[start, end)` into the original text.

Presets (`PRESETS`):
  lm_eval    13-grams; every matching n-gram cuts 200 characters either side; a document with more
             than 10 matches is dropped; kept pieces of 200 characters or less are dropped
             (janitor.py defaults 13/200/10/200).
  datatrove  12-grams; any match drops the whole document.
A canary string anywhere in a document (exact substring) drops it under every preset.

Deliberate differences from lm-eval's janitor.py: a punctuation-only token ("-") is skipped instead of
breaking the n-gram, and lower-casing is Unicode (BMP) rather than ASCII-only. Cut widths: spans here are
half-open and every cut removes exactly `window` characters on each side of a match. Janitor records a
word's end as its last character's index (inclusive) and restarts after a match at `end + window`, so:
the piece before the first match ends where ours does; a piece between two matches starts one character
earlier than ours (janitor removes 199 characters after the earlier match; its piece is one character
longer); the last piece (`dirty_string[end + 1:]`) starts where ours does. Janitor keeps a piece between
matches when it is longer than `min_piece`, as here, but the last piece already at `min_piece` characters
(ours must be longer, so a last piece of exactly 200 characters is dropped here and kept by janitor).
Matches are counted per n-gram position, as in janitor: a 20-word overlap is 8 matching 13-grams. Each
(document, item) row keeps the text of its first `KEPT_NGRAMS` matching n-grams (normalised words joined
by spaces, in text order) next to the count.
"""

from __future__ import annotations

import functools
import string
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from platform_assets.processors.hashing import mix64, odd_constants

VERSION = "decontam_v1"  # bump when tokenisation or hashing changes: persisted indexes depend on it
_M64 = (1 << 64) - 1
_BMP = 0x10000
KEPT_NGRAMS = 20  # matched n-gram texts stored per (document, item) row; the count covers all of them


@dataclass(frozen=True)
class Preset:
    """How a match is acted on.

    Args:
        n: words per n-gram.
        window: characters removed on each side of a matching n-gram.
        max_matches: a document with more matches than this is dropped (0: any match drops it).
        min_piece: kept pieces of this many characters or fewer are dropped too.
    """

    name: str
    n: int = 13
    window: int = 200
    max_matches: int = 10
    min_piece: int = 200


PRESETS = {"lm_eval": Preset("lm_eval"), "datatrove": Preset("datatrove", n=12, max_matches=0)}


@dataclass(frozen=True)
class Decision:
    """What happens to one document: `cut` (remove `removed`, keep `kept`) or `drop` (with a reason)."""

    action: str
    reason: str
    removed: list[list[int]]
    kept: list[list[int]]


CANARY_DROP = Decision("drop", "canary", [], [])


_CHAR_MULT = odd_constants(1, 256)  # by position inside a word (mod 256)
_WORD_MULT = odd_constants(2, 64)  # by position inside an n-gram
_LEN_MULT = odd_constants(3, 1)[0]


@functools.cache
def _char_tables() -> tuple[np.ndarray, np.ndarray]:
    """Per BMP code point: its normalised value (0 = deleted) and whether it is whitespace."""
    chars = [chr(c) for c in range(_BMP)]
    lower = np.array([ord(lo) if len(lo := ch.lower()) == 1 else ord(ch) for ch in chars], np.uint32)
    lower[[ord(c) for c in string.punctuation]] = 0
    return lower, np.array([ch.isspace() for ch in chars])


@functools.cache
def _narrow_tables() -> tuple[np.ndarray, np.ndarray]:
    """`_char_tables` in the narrowest dtypes: for ASCII (uint8) and BMP-only (uint16) text."""
    lower, space = _char_tables()
    return lower[:128].astype(np.uint8), lower.astype(np.uint16)


def _normalised(joined: str) -> tuple[np.ndarray, np.ndarray]:
    """(normalised code point, is-not-whitespace) per character; ASCII text takes a 1-byte fast path."""
    lower, space = _char_tables()
    if joined.isascii():
        cp = np.frombuffer(joined.encode("ascii"), np.uint8)
        return _narrow_tables()[0][cp], ~space[:128][cp]
    cp = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), np.uint32)
    if cp.max() < _BMP:  # the usual case: no emoji or other astral characters
        return _narrow_tables()[1][cp], ~space[cp]
    bmp = cp < _BMP
    low = np.where(bmp, cp, 0)
    return np.where(bmp, lower[low], cp), ~space[low] | ~bmp


@functools.cache
def _translation() -> dict[int, int | None]:
    """`_char_tables` as a `str.translate` table: BMP characters that change, None for deleted ones."""
    lower, _ = _char_tables()
    changed = np.flatnonzero((lower != np.arange(_BMP)) | (lower == 0))
    return {int(c): (int(lower[c]) or None) for c in changed}


def ngram_text(text: str) -> str:
    """The normalised words of `text` joined by spaces: a matched span as the index sees it."""
    return " ".join(w for token in text.split() if (w := token.translate(_translation())))


@dataclass(frozen=True)
class Words:
    """Words of a batch of texts joined by newlines: hash, doc index and [start, end) within the doc."""

    hashes: np.ndarray
    doc: np.ndarray
    starts: np.ndarray
    ends: np.ndarray


def words(texts: Sequence[str | None]) -> Words:
    """Tokenises and hashes every word of `texts` in one vectorised pass."""
    texts = [t or "" for t in texts]
    lens = np.fromiter(map(len, texts), np.int64, len(texts))
    doc_starts = np.concatenate(([0], np.cumsum(lens + 1)[:-1])).astype(np.int64)
    norm, nonspace = _normalised("\n".join(texts))
    run_start = nonspace.copy()
    run_start[1:] &= ~nonspace[:-1]
    run_end = nonspace.copy()
    run_end[:-1] &= ~nonspace[1:]
    kept = np.flatnonzero(nonspace & (norm != 0))
    run_of_kept = (np.cumsum(run_start, dtype=np.int32) - 1)[kept]
    first = np.flatnonzero(np.diff(run_of_kept, prepend=-1) != 0)
    counts = np.diff(np.append(first, len(kept)))
    rank = np.arange(len(kept), dtype=np.int32) - np.repeat(first.astype(np.int32), counts)
    contrib = norm[kept].astype(np.uint64) * _CHAR_MULT[rank & (len(_CHAR_MULT) - 1)]
    sums = np.add.reduceat(contrib, first) if len(first) else np.zeros(0, np.uint64)
    hashes = mix64(sums + counts.astype(np.uint64) * _LEN_MULT)
    runs = run_of_kept[first]
    starts = np.flatnonzero(run_start)[runs]
    per_doc = np.diff(np.append(np.searchsorted(starts, doc_starts), len(starts)))
    doc = np.repeat(np.arange(len(texts)), per_doc)
    return Words(hashes, doc, starts - doc_starts[doc], np.flatnonzero(run_end)[runs] + 1 - doc_starts[doc])


def ngrams(w: Words, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(hash, index of the first word) of every n-gram that lies inside one document."""
    m = len(w.hashes) - n + 1
    if m <= 0:
        return np.zeros(0, np.uint64), np.zeros(0, np.int64)
    acc = np.zeros(m, np.uint64)
    for k in range(n):
        acc += w.hashes[k : k + m] * _WORD_MULT[k]
    first = np.flatnonzero(w.doc[:m] == w.doc[n - 1 :])
    return mix64(acc[first]), first


def _merge(spans: list[tuple[int, int]]) -> list[list[int]]:
    out: list[list[int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return out


def windows(length: int, spans: list[tuple[int, int]], window: int) -> list[list[int]]:
    """Merged cut windows: each match span widened by `window` characters, clipped to the text."""
    return _merge([(max(0, s - window), min(length, e + window)) for s, e in spans])


def decide(length: int, spans: list[tuple[int, int]], preset: Preset) -> Decision:
    """Cut or drop a document of `length` characters whose matching n-grams cover `spans`."""
    if len(spans) > preset.max_matches:
        return Decision("drop", "ngram_match" if preset.max_matches == 0 else "too_many_matches", [], [])
    cut = windows(length, spans, preset.window)
    bounds = [0] + [x for span in cut for x in span] + [length]
    pieces = [[bounds[i], bounds[i + 1]] for i in range(0, len(bounds), 2)]
    kept = [p for p in pieces if p[1] - p[0] > preset.min_piece]
    if not kept:
        return Decision("drop", "no_clean_piece", [], [])
    removed = [[a[1], b[0]] for a, b in zip([[0, 0]] + kept, kept + [[length, length]], strict=True)]
    return Decision("cut", "ngram_cut", [r for r in removed if r[1] > r[0]], kept)


def cut_text(text: str, kept: list[list[int]]) -> list[str]:
    """The clean pieces of a cut document, in order (each a separate training sample)."""
    return [text[s:e] for s, e in kept]


@dataclass(frozen=True)
class NgramIndex:
    """Sorted n-gram hashes, each with the eval item it came from (`items[item[i]]` = (eval_set, item_id))."""

    n: int
    hashes: np.ndarray
    item: np.ndarray
    items: list[tuple[str, str]]
    bucket_bits: int = 16
    buckets: np.ndarray = field(default_factory=lambda: np.zeros(1 << 16, bool))

    @classmethod
    def build(cls, items: Sequence[tuple[str, str, str]], n: int) -> NgramIndex:
        """Index `(eval_set, item_id, text)` triples; a text shorter than `n` words adds nothing."""
        w = words([text for _, _, text in items])
        h, first = ngrams(w, n)
        return cls.from_arrays(n, h, w.doc[first], [(s, i) for s, i, _ in items])

    @classmethod
    def from_arrays(cls, n: int, hashes: np.ndarray, item: np.ndarray, items: list[tuple[str, str]]):
        order = np.lexsort((item, hashes))
        keys, item = hashes[order].astype(np.uint64), item[order].astype(np.int64)
        distinct = np.ones(len(keys), bool)
        distinct[1:] = (keys[1:] != keys[:-1]) | (item[1:] != item[:-1])
        keys, item = keys[distinct], item[distinct]
        # A bit per bucket of the top hash bits, ~32 buckets per key: most lookups end at one gather
        # instead of a binary search over the whole index.
        bits = max(16, int(np.ceil(np.log2(max(len(keys), 1) * 32))))
        buckets = np.zeros(1 << bits, bool)
        buckets[keys >> (64 - bits)] = True
        return cls(n, keys, item, list(items), bits, buckets)

    def lookup(self, h: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(positions in `h` found in the index, first and one-past-last index row of each)."""
        maybe = np.flatnonzero(self.buckets[h >> (64 - self.bucket_bits)])
        lo = np.searchsorted(self.hashes, h[maybe])
        hi = np.searchsorted(self.hashes, h[maybe], side="right")
        found = hi > lo
        return maybe[found], lo[found], hi[found]


@dataclass(frozen=True)
class Matches:
    """Matching n-gram positions of a batch (doc, [start, end)), and the items each position hit."""

    doc: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    hit_position: np.ndarray
    hit_item: np.ndarray


def find_matches(texts: Sequence[str | None], index: NgramIndex) -> Matches:
    """Every n-gram position of `texts` whose hash is in `index`, vectorised over the batch."""
    w = words(texts)
    h, first = ngrams(w, index.n)
    found, lo, hi = index.lookup(h)
    counts = hi - lo
    position = np.repeat(np.arange(len(found)), counts)
    offset = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    start_word = first[found]
    return Matches(w.doc[start_word], w.starts[start_word], w.ends[start_word + index.n - 1],
                   position, index.item[lo[position] + offset])


def check_texts(
    doc_ids: Sequence[str], texts: Sequence[str | None], index: NgramIndex, preset: Preset,
    canaries: dict[str, str] | None = None,
) -> list[dict]:
    """One row per (contaminated document, eval item); canary hits carry `item_id=None`.

    `canaries` maps a canary string to its eval set. Every row of a document repeats the document's
    decision (`action`, `reason`, `doc_matches`, `kept_spans`); `matched_ngrams` counts that row's own
    matches, `ngram_texts` holds the first `KEPT_NGRAMS` of them and `spans` are their cut windows.
    """
    m = find_matches(texts, index)
    canary_hits = _canary_hits(texts, canaries or {})
    rows = []
    for d in sorted(set(np.unique(m.doc).tolist()) | set(canary_hits)):
        text = texts[d] or ""
        a, b = np.searchsorted(m.doc, [d, d + 1])  # positions are in text order, so grouped by doc
        spans = list(zip(m.starts[a:b].tolist(), m.ends[a:b].tolist(), strict=True))
        decision = CANARY_DROP if d in canary_hits else decide(len(text), spans, preset)
        base = {"doc_id": doc_ids[d], "doc_matches": len(spans), "action": decision.action,
                "reason": decision.reason, "kept_spans": decision.kept, "preset": preset.name}
        ha, hb = np.searchsorted(m.hit_position, [a, b])
        by_item: dict[int, list[tuple[int, int]]] = {}
        for pos, item in zip(m.hit_position[ha:hb].tolist(), m.hit_item[ha:hb].tolist(), strict=True):
            by_item.setdefault(item, []).append(spans[pos - a])
        for item, own in sorted(by_item.items()):
            eval_set, item_id = index.items[item]
            rows.append({**base, "eval_set": eval_set, "item_id": item_id, "matched_ngrams": len(own),
                         "ngram_texts": [ngram_text(text[s:e]) for s, e in own[:KEPT_NGRAMS]],
                         "spans": windows(len(text), own, preset.window)})
        for eval_set, at, size in canary_hits.get(d, []):
            rows.append({**base, "eval_set": eval_set, "item_id": None, "matched_ngrams": 0,
                         "ngram_texts": [], "spans": [[at, at + size]]})
    return rows


def _canary_hits(texts: Sequence[str | None], canaries: dict[str, str]) -> dict[int, list]:
    hits: dict[int, list] = {}
    for canary, eval_set in canaries.items():
        for d, text in enumerate(texts):
            at = (text or "").find(canary)
            if at >= 0:
                hits.setdefault(d, []).append((eval_set, at, len(canary)))
    return hits
