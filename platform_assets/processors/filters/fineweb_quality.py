"""FineWeb's own quality rules (Penedo et al. 2024), with datatrove 0.10.1's defaults and reason codes."""

from __future__ import annotations

from platform_assets.processors.base import Filter, Verdict, above, below, first_failure
from platform_assets.processors.features import TextBatch, ratio, sentence_terminals
from platform_assets.processors.filters._bounds import Count, Fraction, Rate
from platform_assets.processors.filters._samples import PROSE, PROSE_LINES
from platform_assets.processors.registry import register


@register("fineweb_quality_v1")
class FineWebQuality(Filter):
    """Drops prose with too few punctuated lines, too many short lines, duplicated lines or list-like layout.

    Over non-blank lines: the share ending in terminal punctuation, the share of at most `short_line_length`
    chars, the characters in repeated lines over all non-newline characters; and newlines per word.
    """

    line_punct_thr: Fraction | None = 0.12
    line_punct_exclude_zero: bool = False
    short_line_thr: Fraction | None = 0.67
    short_line_length: Count = 30
    char_duplicates_ratio: Fraction | None = 0.01
    new_line_ratio: Rate | None = 0.3

    examples = [
        (PROSE_LINES, None),
        ("\n".join(["Home", "About us", "Contact"] + [PROSE.replace(".", ";")]), "line_punct_ratio"),
        ("\n".join([PROSE_LINES] + ["Item one.", "Item two.", "Item three."] * 4), "short_line_ratio"),
        (PROSE_LINES + "\nThe museum in the square tells the story of the people who lived there.", None),
        (
            "\n".join(
                [PROSE_LINES, "Subscribe to our newsletter today.", "Subscribe to our newsletter today."]
            ),
            "char_dup_ratio",
        ),
        (
            "\n".join(
                [
                    "Pneumonoultramicroscopicsilicovolcanoconiosis.",
                    "Supercalifragilisticexpialidociousness.",
                    "Floccinaucinihilipilification.",
                    "Hippopotomonstrosesquippedaliophobia.",
                ]
            ),
            "list_ratio",
        ),
    ]

    def judge(self, batch: TextBatch) -> Verdict:
        lines, keep = batch.lines, batch.nonblank
        n_lines = lines.sum(keep)
        punct = ratio(lines.sum(keep & lines.match(sentence_terminals() + "$")), n_lines)
        punct_rule = below(punct, self.line_punct_thr, "line_punct_ratio")
        if punct_rule and self.line_punct_exclude_zero:
            punct_rule = (punct_rule[0], punct_rule[1] & (punct > 0), punct)
        short = ratio(lines.sum(keep & (lines.lengths <= self.short_line_length)), n_lines)
        _, dup_chars = lines.duplicates(where=keep)
        newlines = batch.count_literal("\n")
        return first_failure(
            batch.n,
            [
                ("empty", n_lines == 0, 0.0),
                punct_rule,
                above(short, self.short_line_thr, "short_line_ratio"),
                above(
                    ratio(dup_chars, batch.n_chars - newlines), self.char_duplicates_ratio, "char_dup_ratio"
                ),
                above(ratio(newlines, batch.words.counts), self.new_line_ratio, "list_ratio"),
            ],
        )
