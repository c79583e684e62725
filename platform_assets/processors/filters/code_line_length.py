"""Line-length rules for source code, as The Stack (Kocetkov et al. 2022) and StarCoder applied them."""

from __future__ import annotations

import numpy as np

from platform_assets.processors.base import Filter, Verdict, above, first_failure
from platform_assets.processors.features import TextBatch, ratio
from platform_assets.processors.filters._bounds import Count, Rate
from platform_assets.processors.filters._samples import CODE
from platform_assets.processors.registry import register


@register("code_line_length_v1")
class CodeLineLength(Filter):
    """Drops code whose longest line or mean line length is too long (minified or generated files)."""

    max_line_length: Count | None = 1000
    max_mean_line_length: Rate | None = 100

    examples = [
        (CODE, None),
        (CODE + "x = [" + "1, " * 400 + "]\n", "code_max_line_length"),
        ("\n".join(["var a=" + "b+" * 60 + "c;"] * 10), "code_mean_line_length"),
    ]

    def judge(self, batch: TextBatch) -> Verdict:
        lines = batch.lines
        longest = np.zeros(batch.n)
        np.maximum.at(longest, lines.parent, lines.lengths)
        mean = ratio(lines.sum(lines.lengths), lines.counts)
        return first_failure(
            batch.n,
            [
                above(longest, self.max_line_length, "code_max_line_length"),
                above(mean, self.max_mean_line_length, "code_mean_line_length"),
            ],
        )
