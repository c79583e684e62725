"""Difficulty of a code document: function count and cyclomatic complexity from a tree-sitter parse.

Runs on rows the domain detector labels `code` (`label__domain_v1`, see `base.domain_mask`). The language
comes from `code_language.detect_languages`; rows in a language without an installed grammar get the
language and null counts.
"""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from platform_assets.processors.classifiers.base import Between, Classifier, Example, domain_mask
from platform_assets.processors.classifiers.code_language import detect_languages
from platform_assets.processors.classifiers.code_parsing import code_stats
from platform_assets.processors.classifiers.registry import register


def difficulty_score(function_count: int, complexity: int) -> float:
    """log-scaled size of the control flow: 0 for straight-line code, 1 at 100 functions + decisions."""
    return min(1.0, math.log1p(function_count + complexity - 1) / math.log1p(100))


@register("difficulty_code_v1")
class DifficultyCodeV1(Classifier):
    """Function count, cyclomatic complexity (1 + decision points), parse errors and a [0, 1] score."""

    inputs = ("text",)
    outputs = {
        "score": pa.float32(),
        "language": pa.string(),
        "function_count": pa.int32(),
        "complexity": pa.int32(),
        "parse_error": pa.bool_(),
    }
    examples = [
        Example(
            "def f(x):\n    if x > 0 and x < 9:\n        return x\n    return -x\n",
            {
                "language": "python",
                "function_count": 1,
                "complexity": 3,
                "parse_error": False,
                "score": Between(0.2, 0.4),
            },
        ),
        Example(
            "func main() {\n\tfor i := 0; i < 3; i++ {\n\t\tfmt.Println(i)\n\t}\n}\n",
            {"language": "go", "function_count": 1, "complexity": 2},
        ),
        Example(
            "To define a function in Python, write def, its name and its arguments, then the body.",
            {"language": None, "function_count": None, "score": None},
        ),
    ]

    def classify(self, batch: pa.RecordBatch) -> dict[str, list]:
        n = batch.num_rows
        out: dict[str, list] = {k: [None] * n for k in self.outputs}
        idx = np.flatnonzero(domain_mask(batch, "code") & batch.column("text").is_valid().to_numpy(False))
        if idx.size == 0:
            return out
        texts = pc.fill_null(batch.column("text"), "").take(pa.array(idx))
        for i, text, lang in zip(idx, texts.to_pylist(), detect_languages(texts), strict=True):
            out["language"][i] = lang
            stats = code_stats(text, lang) if lang else None
            if stats is not None:
                out["function_count"][i], out["complexity"][i] = stats.function_count, stats.complexity
                out["parse_error"][i] = stats.parse_error
                out["score"][i] = difficulty_score(stats.function_count, stats.complexity)
        return out
