"""Gopher quality rules (Rae et al. 2021, Table A1), with datatrove 0.10.1's defaults and reason codes."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pydantic

from platform_assets.processors.base import Filter, Verdict, above, below, first_failure
from platform_assets.processors.features import TextBatch, ratio, sentence_terminals
from platform_assets.processors.filters._bounds import Count, Fraction, Rate
from platform_assets.processors.filters._samples import PROSE
from platform_assets.processors.registry import register

# datatrove's PUNCTUATION_SET: a word made only of these is a symbol, not a word (note: no © ° • ‘ there)
_SYMBOLS = (
    "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~—”％１〈、━【「」，】；“《„’∶´．（–？！：～«〉》）。…►»"
    + "".join(map(chr, [*range(0, 9), 11, 12, *range(13, 32), *range(127, 160)]))
)
_SYMBOL_ONLY = "^(?:[" + "".join(f"\\x{{{ord(c):x}}}" for c in _SYMBOLS) + "]|" + sentence_terminals() + ")+$"
_STOP_WORDS = ("the", "be", "to", "of", "and", "that", "have", "with")


@register("gopher_quality_v1")
class GopherQuality(Filter):
    """Drops prose by word count, mean word length, symbol and bullet/ellipsis line ratios, letters and
    stop words.

    Words exclude pure punctuation for the count and mean length; the letter and symbol ratios are over all
    tokens, as in datatrove. Stop words are counted distinct and case-sensitive. None disables a rule.
    """

    min_doc_words: Count | None = 50
    max_doc_words: Count | None = 100_000
    min_avg_word_length: Rate | None = 3
    max_avg_word_length: Rate | None = 10
    max_symbol_word_ratio: Rate | None = 0.1
    max_bullet_lines_ratio: Fraction | None = 0.9
    max_ellipsis_lines_ratio: Fraction | None = 0.3
    min_alpha_words_ratio: Fraction | None = 0.8
    min_stop_words: Count | None = 2
    stop_words: tuple[str, ...] = _STOP_WORDS

    examples = [
        (PROSE, None),
        ("Too short to judge, with the few words that it has.", "gopher_short_doc"),
        (" ".join(["a an of to"] * 20), "gopher_below_avg_threshold"),
        (" ".join(["the internationalization"] * 30), "gopher_above_avg_threshold"),
        (PROSE + " #tag" * 20, "gopher_too_many_hashes"),
        (PROSE + " and so on..." * 20 + " The end.", "gopher_too_many_ellipsis"),
        ("\n".join(["- " + PROSE] + ["- item"] * 12), "gopher_too_many_bullets"),
        ("\n".join([PROSE] + ["and then…"] * 3), "gopher_too_many_end_ellipsis"),
        (PROSE + " 12 34 56 78 90" * 8, "gopher_below_alpha_threshold"),
        ("Quick brown foxes jump over lazy dogs near rivers. " * 7, "gopher_enough_stop_words"),
    ]

    @pydantic.field_validator("max_doc_words", "max_avg_word_length")
    @classmethod
    def _max_not_below_min(cls, value: float | None, info: pydantic.ValidationInfo) -> float | None:
        low_key = info.field_name.replace("max_", "min_", 1)
        low = info.data.get(low_key)
        if value is not None and low is not None and value < low:
            raise ValueError(f"must be at least {low_key} ({low})")
        return value

    def judge(self, batch: TextBatch) -> Verdict:
        words = batch.words
        n_words = words.counts
        content = ~words.match(_SYMBOL_ONLY)
        n_content = words.sum(content)
        mean_len = ratio(words.sum(np.where(content, words.lengths, 0)), n_content)
        lines = batch.lines
        bullets = ratio(lines.sum(lines.match(r"^\s*[•-]")), lines.counts)
        end_ellipsis = ratio(lines.sum(lines.match(r"(?:\.\.\.|…)\s*$")), lines.counts)
        stop = self._distinct_stop_words(batch)
        return first_failure(
            batch.n,
            [
                below(n_content, self.min_doc_words, "gopher_short_doc"),
                above(n_content, self.max_doc_words, "gopher_long_doc"),
                below(mean_len, self.min_avg_word_length, "gopher_below_avg_threshold"),
                above(mean_len, self.max_avg_word_length, "gopher_above_avg_threshold"),
                above(
                    ratio(batch.count_literal("#"), n_words),
                    self.max_symbol_word_ratio,
                    "gopher_too_many_hashes",
                ),
                above(
                    ratio(batch.count_literal("...") + batch.count_literal("…"), n_words),
                    self.max_symbol_word_ratio,
                    "gopher_too_many_ellipsis",
                ),
                above(bullets, self.max_bullet_lines_ratio, "gopher_too_many_bullets"),
                above(end_ellipsis, self.max_ellipsis_lines_ratio, "gopher_too_many_end_ellipsis"),
                below(
                    ratio(words.sum(words.match(r"\p{L}")), n_words),
                    self.min_alpha_words_ratio,
                    "gopher_below_alpha_threshold",
                ),
                below(stop, self.min_stop_words, "gopher_enough_stop_words"),
            ],
        )

    def _distinct_stop_words(self, batch: TextBatch) -> np.ndarray:
        words = batch.words
        which = pc.index_in(words.flat, value_set=pa.array(self.stop_words)).fill_null(-1).to_numpy()
        hit = which >= 0
        pairs = np.unique(words.parent[hit] * len(self.stop_words) + which[hit])
        return np.bincount(pairs // len(self.stop_words), minlength=batch.n).astype(np.float64)
