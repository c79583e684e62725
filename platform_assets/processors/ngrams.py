"""Word n-gram repetition statistics (Gopher), vectorized over a batch with numpy and Arrow hashing.

An n-gram is keyed by a 64-bit polynomial hash of its word ids, mixed with its document index, so one hash
pass over the whole batch (Arrow's dictionary encoding: ids in order of first appearance) finds every
repeat. Character counts follow datatrove: the top n-gram is measured joined by spaces, duplicated n-grams
joined without them.
"""

from __future__ import annotations

import numpy as np

from platform_assets.processors.features import Parts, group_ids
from platform_assets.processors.hashing import GOLDEN, POLY_BASE

_P = POLY_BASE
_DOC_MIX = np.uint64(GOLDEN)


def _windows(words: Parts, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Start positions of every n-gram that stays inside its document, and its n-gram id."""
    total = len(words.ids)
    if total < n:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    ids = words.ids.astype(np.uint64) + np.uint64(1)
    with np.errstate(over="ignore"):
        h = ids[: total - n + 1].copy()
        for k in range(1, n):
            h = h * _P + ids[k : total - n + 1 + k]
        starts = np.arange(total - n + 1)
        ends = np.cumsum(words.counts)[words.parent[starts]]  # one past the document's last word
        valid = starts + n <= ends
        starts, h = starts[valid], h[valid]
        return starts, group_ids(h ^ (words.parent[starts].astype(np.uint64) * _DOC_MIX))


def _window_chars(words: Parts, starts: np.ndarray, n: int) -> np.ndarray:
    csum = np.concatenate([[0], np.cumsum(words.lengths)])
    return csum[starts + n] - csum[starts]


def _segments(doc: np.ndarray) -> np.ndarray:
    """Start index of each run of equal document numbers (positions are grouped by document)."""
    return np.flatnonzero(np.concatenate([[True], doc[1:] != doc[:-1]]))


def top_ngram_chars(words: Parts, n: int) -> np.ndarray:
    """Per document: characters of the most frequent n-gram (joined by spaces) times its count."""
    out = np.zeros(words.n_docs)
    starts, ids = _windows(words, n)
    if len(starts) == 0:
        return out
    count = np.bincount(ids)[ids]
    doc = words.parent[starts]
    seg = _segments(doc)
    best = np.repeat(np.maximum.reduceat(count, seg), np.diff(np.append(seg, len(count))))
    # ties go to the n-gram seen first, as Counter.most_common does
    top = np.flatnonzero(count == best)
    head = top[_segments(doc[top])]
    out[doc[head]] = count[head] * (_window_chars(words, starts[head], n) + n - 1)
    return out


def dup_ngram_chars(words: Parts, n: int, limit: np.ndarray | None = None) -> np.ndarray:
    """Per document: characters of repeated n-grams (joined without spaces), counted as datatrove does.

    First an upper bound, vectorized: the characters of every word covered by an n-gram seen earlier.
    datatrove's count is a greedy scan (a repeat counts its n words, then skips them) and never exceeds
    that bound, so the exact scan only runs for documents whose bound exceeds `limit` (chars, per document;
    NaN = never refine).
    """
    starts, ids = _windows(words, n)
    if len(starts) == 0:
        return np.zeros(words.n_docs)
    dup_starts = starts[ids <= np.maximum.accumulate(np.concatenate([[-1], ids[:-1]]))]
    cover = np.zeros(len(words.ids) + 1, np.int64)
    np.add.at(cover, dup_starts, 1)
    np.add.at(cover, dup_starts + n, -1)
    covered = np.cumsum(cover[:-1]) > 0
    bound = words.sum(np.where(covered, words.lengths, 0))
    if limit is not None:
        for doc in np.flatnonzero(bound > np.nan_to_num(limit, nan=np.inf)):
            bound[doc] = _greedy(words, starts, ids, doc, n)
    return bound


def _greedy(words: Parts, starts: np.ndarray, ids: np.ndarray, doc: int, n: int) -> int:
    """datatrove's scan over one document: a repeated n-gram adds its characters and jumps n words."""
    mine = words.parent[starts] == doc
    doc_ids, doc_starts = ids[mine].tolist(), starts[mine]
    csum = np.concatenate([[0], np.cumsum(words.lengths)])
    chars = (csum[doc_starts + n] - csum[doc_starts]).tolist()
    seen, total, i = set(), 0, 0
    while i < len(doc_ids):
        if doc_ids[i] in seen:
            total += chars[i]
            i += n
        else:
            seen.add(doc_ids[i])
            i += 1
    return total
