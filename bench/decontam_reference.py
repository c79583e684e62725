"""Plain-Python reference of the decontamination semantics, written the way janitor.py is (string n-gram
sets, a regex over words, a loop over matches). Only the benchmark and the tests use it: it is the
baseline the vectorised `platform_assets.processors.decontam` is timed against and checked with.
"""

from __future__ import annotations

import re
import string

_WORD = re.compile(r"\S+")
ROW_COLUMNS = ("doc_id", "eval_set", "item_id", "matched_ngrams", "ngram_texts", "action", "reason",
               "kept_spans")


def _table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for c in range(0x10000):
        lower = chr(c).lower()
        if len(lower) == 1 and lower != chr(c):
            table[c] = lower
    for ch in string.punctuation + "\x00":
        table[ord(ch)] = None
    return table


_TABLE = _table()


def word_spans(text: str) -> list[tuple[str, int, int]]:
    """(normalised word, start, end) for each whitespace token that is not empty after normalising."""
    out = []
    for m in _WORD.finditer(text):
        word = m.group().translate(_TABLE)
        if word:
            out.append((word, m.start(), m.end()))
    return out


def build_index(items: list[tuple[str, str, str]], n: int) -> dict[tuple[str, ...], set[tuple[str, str]]]:
    """n-gram (tuple of words) -> the (eval_set, item_id) pairs that contain it."""
    index: dict[tuple[str, ...], set[tuple[str, str]]] = {}
    for eval_set, item_id, text in items:
        ws = [w for w, _, _ in word_spans(text)]
        for i in range(len(ws) - n + 1):
            index.setdefault(tuple(ws[i : i + n]), set()).add((eval_set, item_id))
    return index


def decide(length: int, spans: list, window: int, max_matches: int, min_piece: int) -> tuple:
    """(action, reason, kept pieces) following janitor._split_chunks with half-open spans."""
    if len(spans) > max_matches:
        return "drop", ("ngram_match" if max_matches == 0 else "too_many_matches"), []
    kept, splice = [], 0
    for s, e in spans:
        start, end = max(0, s - window), min(length, e + window)
        if start - splice > min_piece:
            kept.append([splice, start])
        splice = max(splice, end)
    if length - splice > min_piece:
        kept.append([splice, length])
    return ("cut", "ngram_cut", kept) if kept else ("drop", "no_clean_piece", [])


def check(doc_ids, texts, index, n=13, window=200, max_matches=10, min_piece=200, canaries=None,
          keep=20) -> list:
    """Rows (ROW_COLUMNS; ngram_texts: the first `keep` matched n-grams), sorted."""
    rows = []
    for doc_id, text in zip(doc_ids, texts, strict=True):
        ws = word_spans(text)
        hits = []
        for i in range(len(ws) - n + 1):
            ngram = tuple(w for w, _, _ in ws[i : i + n])
            found = index.get(ngram)
            if found:
                hits.append(((ws[i][1], ws[i + n - 1][2]), found, " ".join(ngram)))
        canary_sets = [s for c, s in (canaries or {}).items() if c in text]
        if not hits and not canary_sets:
            continue
        if canary_sets:
            action, reason, kept = "drop", "canary", []
        else:
            action, reason, kept = decide(len(text), [s for s, _, _ in hits], window, max_matches, min_piece)
        per_item: dict[tuple[str, str], list[str]] = {}
        for _, found, ngram in hits:
            for key in found:
                per_item.setdefault(key, []).append(ngram)
        for (eval_set, item_id), ngrams in per_item.items():
            rows.append((doc_id, eval_set, item_id, len(ngrams), ngrams[:keep], action, reason, kept))
        rows += [(doc_id, s, None, 0, [], action, reason, kept) for s in canary_sets]
    return sorted(rows, key=lambda r: (r[0], r[1], r[2] or ""))
