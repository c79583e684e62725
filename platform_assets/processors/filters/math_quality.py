"""Rules that fit mathematical text: prose rules would drop it for symbols, short words and few stop words."""

from __future__ import annotations

import numpy as np

from platform_assets.processors.base import Filter, Verdict, above, below, first_failure
from platform_assets.processors.features import TextBatch, ratio
from platform_assets.processors.filters._bounds import Count, Fraction
from platform_assets.processors.filters._samples import MATH
from platform_assets.processors.registry import register

# Letters, digits, marks, whitespace, and the ASCII/Unicode symbols of math writing and LaTeX.
_MATH_OK = r"[\p{L}\p{N}\p{M}\s+\-*/=^_{}()\[\]\\$<>|.,;:!?'\"~&%∑∏∫√∞≤≥≠≈±×÷∂∇∈∉⊂⊆∪∩→⇒⇔∀∃]"


@register("math_quality_v1")
class MathQuality(Filter):
    """Drops math documents that are too short, hold one giant line, or are mostly characters that neither
    words nor mathematics use (encoding noise, binary)."""

    min_words: Count | None = 20
    max_line_length: Count | None = 5000
    min_math_char_fraction: Fraction | None = 0.9

    examples = [
        (MATH, None),
        ("Let $x = 1$.", "math_too_short"),
        ("$$" + " + ".join(f"a_{{{i}}}" for i in range(1200)) + "$$", "math_max_line_length"),
        (MATH + "\n" + "☺♠♣♥♦●◆■□▲▼" * 40, "math_symbol_noise"),
    ]

    def judge(self, batch: TextBatch) -> Verdict:
        lines = batch.lines
        longest = np.zeros(batch.n)
        np.maximum.at(longest, lines.parent, lines.lengths)
        return first_failure(
            batch.n,
            [
                below(batch.count(r"\S+").astype(float), self.min_words, "math_too_short"),
                above(longest, self.max_line_length, "math_max_line_length"),
                below(
                    ratio(batch.count(_MATH_OK), batch.n_chars),
                    self.min_math_char_fraction,
                    "math_symbol_noise",
                ),
            ],
        )
