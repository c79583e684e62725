"""The vectorized n-gram statistics equal straightforward per-document reference scans (datatrove's)."""

from collections import Counter

import numpy as np
import pytest

from platform_assets.processors.features import TextBatch
from platform_assets.processors.filters._samples import PROSE
from platform_assets.processors.ngrams import dup_ngram_chars, top_ngram_chars

TEXTS = [
    PROSE,
    PROSE + " " + PROSE[:200],
    "one two three four five six seven eight nine ten one two three four five six two three four five six",
    "buy now " * 30,
    "a b",
    " ".join(["x y z"] * 7 + ["x y w"] * 3),
]


def greedy_dup(words: list[str], n: int) -> int:
    seen, total, i = set(), 0, 0
    while i < len(words) - n + 1:
        gram = "".join(words[i : i + n])
        if gram in seen:
            total, i = total + len(gram), i + n
        else:
            seen.add(gram)
            i += 1
    return total


def top_chars(words: list[str], n: int) -> int:
    grams = [" ".join(words[i : i + n]) for i in range(len(words) - n + 1)]
    if not grams:
        return 0
    gram, count = Counter(grams).most_common(1)[0]
    return len(gram) * count


@pytest.mark.parametrize("n", [2, 3, 4, 5, 7, 10])
def test_top_and_exact_dup_match_reference(n):
    batch = TextBatch.from_texts(TEXTS)
    words = [batch.words.lists[i].as_py() for i in range(len(TEXTS))]
    assert top_ngram_chars(batch.words, n).tolist() == [top_chars(w, n) for w in words]
    exact = dup_ngram_chars(batch.words, n, limit=np.zeros(len(TEXTS)))
    assert exact.tolist() == [greedy_dup(w, n) for w in words]


def test_dup_bound_is_never_below_the_exact_count():
    batch = TextBatch.from_texts(TEXTS)
    for n in (5, 6, 8):
        assert (
            dup_ngram_chars(batch.words, n) >= dup_ngram_chars(batch.words, n, np.zeros(len(TEXTS)))
        ).all()
