"""Alphanumeric share for source code, as The Stack and StarCoder applied it."""

from __future__ import annotations

from platform_assets.processors.base import Filter, Verdict, below, first_failure
from platform_assets.processors.features import ASCII_ALNUM, TextBatch, byte_table, ratio
from platform_assets.processors.filters._bounds import Fraction
from platform_assets.processors.filters._samples import CODE
from platform_assets.processors.registry import register

_ALNUM = byte_table(ASCII_ALNUM, non_ascii=True)  # a non-ASCII character counts as a letter


@register("code_alnum_v1")
class CodeAlnum(Filter):
    """Drops code where under `min_alnum_fraction` of the characters are letters or digits."""

    min_alnum_fraction: Fraction | None = 0.25

    examples = [
        (CODE, None),
        ("/* ==== */\n" * 3 + "{{{ }}} ;;; ((( ))) <<< >>> ---- ++++ ****\n" * 5, "code_alnum_fraction"),
    ]

    def judge(self, batch: TextBatch) -> Verdict:
        alnum = ratio(batch.count_bytes(_ALNUM), batch.n_chars)
        return first_failure(batch.n, [below(alnum, self.min_alnum_fraction, "code_alnum_fraction")])
