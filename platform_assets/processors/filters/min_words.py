"""Drop documents too short to be useful training text."""

from __future__ import annotations

from platform_assets.processors.base import Filter, Verdict, below, first_failure
from platform_assets.processors.features import TextBatch
from platform_assets.processors.filters._bounds import Count
from platform_assets.processors.filters._samples import PROSE
from platform_assets.processors.registry import register


@register("min_words_v1")
class MinWords(Filter):
    """Keeps documents with at least `min_words` whitespace-separated words."""

    min_words: Count = 50

    examples = [(PROSE, None), ("only three words", "too_few_words")]

    def judge(self, batch: TextBatch) -> Verdict:
        return first_failure(
            batch.n, [below(batch.count(r"\S+").astype(float), self.min_words, "too_few_words")]
        )
