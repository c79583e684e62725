"""Gopher repetition rules (Rae et al. 2021, Table A1), with datatrove 0.10.1's defaults and reason codes."""

from __future__ import annotations

import numpy as np

from platform_assets.processors.base import Filter, Verdict, above, first_failure
from platform_assets.processors.features import Parts, TextBatch, ratio
from platform_assets.processors.filters._bounds import Fraction, NGram
from platform_assets.processors.filters._samples import PROSE, PROSE_LINES
from platform_assets.processors.ngrams import dup_ngram_chars, top_ngram_chars
from platform_assets.processors.registry import register


@register("gopher_repetition_v1")
class GopherRepetition(Filter):
    """Drops documents with repeated paragraphs, lines or word n-grams.

    Fractions: duplicate paragraphs/lines (count and characters); characters of the most frequent 2-4-gram;
    characters covered by repeated 5-10-grams. Every character fraction is over the document's length.
    """

    dup_para_frac: Fraction | None = 0.3
    dup_para_char_frac: Fraction | None = 0.2
    dup_line_frac: Fraction | None = 0.3
    dup_line_char_frac: Fraction | None = 0.2
    top_n_grams: dict[NGram, Fraction] = {2: 0.20, 3: 0.18, 4: 0.16}
    dup_n_grams: dict[NGram, Fraction] = {5: 0.15, 6: 0.14, 7: 0.13, 8: 0.12, 9: 0.11, 10: 0.10}

    examples = [
        (PROSE, None),
        ("\n\n".join([PROSE, "Read more.", "Share this.", "Read more."] * 2), "dup_para_frac"),
        (
            "\n\n".join([PROSE, "A note.", "Another note.", "A third one.", PROSE[:220], PROSE[:220]]),
            "dup_para_char_frac",
        ),
        ("\n".join(["Home", "News", "Blog", PROSE_LINES] + ["Home", "News", "Blog"] * 2), "dup_line_frac"),
        ("\n".join([PROSE_LINES] + [PROSE_LINES.split("\n")[1]] * 2), "dup_line_char_frac"),
        (PROSE + " buy now" * 40, "top_2_gram"),
        (PROSE + " " + PROSE[:150], "duplicated_5_n_grams"),
    ]

    def judge(self, batch: TextBatch) -> Verdict:
        paras, lines, words = batch.paragraphs, batch.lines, batch.words
        n_chars = batch.n_chars
        para_dups, para_chars = paras.duplicates()
        line_dups, line_chars = lines.duplicates(where=batch.nonblank)
        rules = [
            above(ratio(para_dups, paras.counts), self.dup_para_frac, "dup_para_frac"),
            above(ratio(para_chars, n_chars), self.dup_para_char_frac, "dup_para_char_frac"),
            above(ratio(line_dups, lines.sum(batch.nonblank)), self.dup_line_frac, "dup_line_frac"),
            above(ratio(line_chars, n_chars), self.dup_line_char_frac, "dup_line_char_frac"),
        ]
        # n-gram rules only for documents still kept; a longer n-gram can repeat only where a shorter does
        kept = _still_kept(batch.n, rules)
        for n, frac in sorted(self.top_n_grams.items()):
            rules.append(above(ratio(_on(words, kept, top_ngram_chars, n), n_chars), frac, f"top_{n}_gram"))
            kept &= ~rules[-1][1]
        for n, frac in sorted(self.dup_n_grams.items()):
            dup = _on(words, kept, dup_ngram_chars, n, frac * n_chars)
            rules.append(above(ratio(dup, n_chars), frac, f"duplicated_{n}_n_grams"))
            kept &= ~rules[-1][1] & (dup > 0)
        return first_failure(batch.n, rules)


def _on(words: Parts, rows: np.ndarray, stat, n: int, limit: np.ndarray | None = None) -> np.ndarray:
    """`stat(words, n[, limit])` for the documents where `rows` holds; 0 elsewhere."""
    out = np.zeros(words.n_docs)
    if rows.all():
        return stat(words, n) if limit is None else stat(words, n, limit)
    idx = np.flatnonzero(rows)
    if len(idx):
        sub = words.subset(idx)
        out[idx] = stat(sub, n) if limit is None else stat(sub, n, limit[idx])
    return out


def _still_kept(n: int, rules: list) -> np.ndarray:
    """Documents no earlier rule dropped (later rules need not be computed for the others)."""
    dropped = np.zeros(n, dtype=bool)
    for rule in rules:
        if rule is not None:
            dropped |= rule[1]
    return ~dropped
