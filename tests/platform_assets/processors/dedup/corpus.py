"""Synthetic documents and near-duplicate pairs with an exactly known word 5-gram Jaccard similarity."""

from __future__ import annotations

import numpy as np

_LETTERS = np.array(list("abcdefghijklmnopqrstuvwxyz"))


def vocabulary(rng: np.random.Generator, size: int = 50_000) -> np.ndarray:
    letters = _LETTERS[rng.integers(0, 26, (size, 9))]
    return np.array(["".join(row[:n]) for row, n in zip(letters, rng.integers(3, 10, size), strict=True)])


def shingle_set(words: list[str], n: int = 5) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def jaccard(a: list[str], b: list[str], n: int = 5) -> float:
    sa, sb = shingle_set(a, n), shingle_set(b, n)
    return len(sa & sb) / len(sa | sb)


def pair(rng: np.random.Generator, vocab: np.ndarray, words: int, replace_fraction: float):
    """A document and a copy with `replace_fraction` of its words replaced; returns both and their Jaccard."""
    a = list(rng.choice(vocab, words))
    b = list(a)
    for i in rng.choice(words, int(round(replace_fraction * words)), replace=False):
        b[i] = str(rng.choice(vocab))
    return " ".join(a), " ".join(b), jaccard(a, b)
