"""Difficulty of a code document: function count and cyclomatic complexity from a tree-sitter parse.

Runs on rows the domain detector labels `code` (`label__domain_v1`, see `base.domain_mask`). The language
comes from `code_language.detect_languages`, or from the grammar the text parses best in when that parse
fails or nothing votes (`code_evidence.best_grammar`).
"""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from platform_assets.processors.classifiers.base import Between, Classifier, Example, domain_mask
from platform_assets.processors.classifiers.code_language import detect_languages
from platform_assets.processors.classifiers.code_parsing import CodeStats, code_stats
from platform_assets.processors.classifiers.registry import register
from platform_assets.processors.code_evidence import best_grammar


def difficulty_score(function_count: int, complexity: int) -> float:
    """log-scaled size of the control flow: 0 for straight-line code, 1 at 100 functions + decisions."""
    return min(1.0, math.log1p(function_count + complexity - 1) / math.log1p(100))


def _stats(text: str, vote: str | None) -> CodeStats:
    """Stats in the voted language, or, when that parse fails or nothing voted, in the grammar the text
    parses best in (`code_evidence.best_grammar`: a Python file full of `function` in docstrings)."""
    stats = code_stats(text, vote) if vote else None
    if stats is None or stats.parse_error:
        language = best_grammar(text, vote)[0]
        if language != vote:
            other = code_stats(text, language)
            stats = other if stats is None or not other.parse_error else stats
    return stats


def _votes(batch: pa.RecordBatch, texts: pa.Array, idx: np.ndarray) -> list[str | None]:
    """The syntax vote of each code row: `domain_v1__code_language` when the stack has added it (the same
    `detect_languages` over the same texts), else counted here."""
    if "domain_v1__code_language" in batch.schema.names:
        return batch.column("domain_v1__code_language").take(pa.array(idx)).to_pylist()
    return detect_languages(texts)


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
        for i, text, vote in zip(idx, texts.to_pylist(), _votes(batch, texts, idx), strict=True):
            stats = _stats(text, vote)
            out["language"][i] = stats.language
            out["function_count"][i], out["complexity"][i] = stats.function_count, stats.complexity
            out["parse_error"][i] = stats.parse_error
            out["score"][i] = difficulty_score(stats.function_count, stats.complexity)
        return out
