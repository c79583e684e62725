"""Word 5-gram Jaccard (the truth file's definition) and edited copies with a target similarity."""

from __future__ import annotations

import re

from platform_assets.cli.demo_data import words as w
from platform_assets.cli.demo_data.rng import FastRandom

JACCARD_DEFINITION = "set Jaccard of word 5-grams; words = regex \\w+ over the lower-cased text"
BANDS = {"high": (0.82, 0.93), "low": (0.30, 0.45)}  # clearly above 0.8 / clearly below 0.5
_WORD = re.compile(r"\w+")
_TOKEN = re.compile(r"[A-Za-z]+")
_REPLACEMENTS = w.ADJECTIVES + w.GENERAL_NOUNS + w.ADVERBS


def shingles(text: str, n: int = 5) -> set[tuple[str, ...]]:
    words = _WORD.findall(text.lower())
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def jaccard(a: str, b: str, n: int = 5) -> float:
    sa, sb = shingles(a, n), shingles(b, n)
    return len(sa & sb) / len(sa | sb) if sa or sb else 1.0


def edited(rng: FastRandom, text: str, fraction: float) -> str:
    """`text` with about `fraction` of its words replaced by other words (layout and punctuation kept)."""
    spans = [m.span() for m in _TOKEN.finditer(text)]
    chosen = sorted(rng.sample(range(len(spans)), max(1, round(fraction * len(spans)))))
    out, last = [], 0
    for i in chosen:
        start, end = spans[i]
        out += [text[last:start], rng.choice(_REPLACEMENTS)]
        last = end
    return "".join(out) + text[last:]


def near_copy(rng: FastRandom, text: str, band: str) -> tuple[str, float]:
    """An edited copy whose Jaccard with `text` lies in BANDS[band] (bisection on the edit rate)."""
    lo, hi = BANDS[band]
    target = (lo + hi) / 2
    # replacing a share f of words keeps about (1 - f)^5 of the 5-grams: J = s / (2 - s) for s shared
    fraction = 1 - (2 * target / (1 + target)) ** (1 / 5)
    f_lo, f_hi = 0.0, 0.6
    for _ in range(30):
        copy = edited(rng, text, fraction)
        score = jaccard(text, copy)
        if lo <= score <= hi:
            return copy, round(score, 4)
        f_lo, f_hi = (fraction, f_hi) if score > hi else (f_lo, fraction)
        fraction = (f_lo + f_hi) / 2
    raise ValueError(f"no {band} near copy found for a {len(text)}-character text")
