"""Difficulty of a math document: derivation steps, operators, expression depth and answer magnitude.

Runs on rows the domain detector labels `math` (`label__domain_v1`, see `base.domain_mask`). Definitions
(docs/classifiers.md has the long form):
- steps: lines (or sentences, for one-line text) that state a relation (=, <, >, ≤, ≥, ≠, ≈, \\le, ...);
- operators: arithmetic and relation symbols plus LaTeX operator commands (\\frac, \\sqrt, \\sum, ...);
- expression_depth: the deepest nesting of (), [] and {} (LaTeX groups count);
- answer: the final answer (\\boxed{..}, `#### x`, `answer is x`, else the value after the last `=`);
  answer_magnitude = log10(1 + |answer|), null when the answer is not a number.
"""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import regex

from platform_assets.processors.classifiers.base import Between, Example, RowClassifier, domain_mask
from platform_assets.processors.classifiers.registry import register

_RELATION = regex.compile(r"[=<>≤≥≠≈]|\\(?:le|ge|leq|geq|neq|approx|lt|gt)\b")
_OPERATOR = regex.compile(
    r"\\(?:frac|dfrac|sqrt|sum|prod|int|cdot|times|div|pm|log|ln|sin|cos|tan|lim|binom)\b"
    r"|[+*/^×÷·=<>≤≥≠≈]|(?<=[\w)\s])-(?=[\s\d(\\])"
)
_SENTENCE = regex.compile(r"(?<=[.!?])\s+")
_ANSWERS = [
    regex.compile(p)
    for p in (
        r"\\boxed\{((?:[^{}]|\{(?1)\})*)\}",
        r"####\s*([^\n]+)",
        r"(?i)answer(?: is|:)\s*\$?([^\s$]+)",
        r"=\s*\$?\s*([^=\n$]+?)\s*\$?\s*\.?\s*$",
    )
]
_FRACTION = regex.compile(r"^\\d?frac\{(-?[\d.]+)\}\{(-?[\d.]+)\}$|^(-?[\d.]+)/(-?[\d.]+)$")
_OPEN, _CLOSE = np.zeros(256, np.int8), np.zeros(256, np.int8)
_OPEN[[40, 91, 123]], _CLOSE[[41, 93, 125]] = 1, 1


def expression_depth(text: str) -> int:
    delta = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    d = np.cumsum(_OPEN[delta].astype(np.int32) - _CLOSE[delta])
    if d.size == 0:
        return 0
    return int((d - np.minimum.accumulate(np.minimum(d, 0))).max())  # stray closers do not go below 0


def final_answer(text: str) -> str | None:
    for pattern in _ANSWERS:
        found = pattern.findall(text.strip())
        if found:
            return found[-1].strip().rstrip(".")
    return None


def answer_value(answer: str | None) -> float | None:
    if not answer:
        return None
    cleaned = answer.replace(",", "").replace("$", "").replace(" ", "")
    m = _FRACTION.match(cleaned)
    try:
        if m:
            num, den = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
            return float(num) / float(den)
        return float(cleaned)
    except (ValueError, ZeroDivisionError):
        return None


def math_score(steps: int, operators: int, depth: int, magnitude: float | None) -> float:
    effort = steps + operators / 4 + 2 * depth + (magnitude or 0.0)
    return 1.0 - math.exp(-effort / 20.0)


@register("difficulty_math_v1")
class DifficultyMathV1(RowClassifier):
    """Math difficulty features and a [0, 1] score growing with steps, operators, depth and magnitude."""

    inputs = ("text",)
    outputs = {
        "score": pa.float32(),
        "steps": pa.int32(),
        "operators": pa.int32(),
        "expression_depth": pa.int32(),
        "answer": pa.string(),
        "answer_magnitude": pa.float32(),
    }
    examples = [
        Example(
            "Solve 2x + 3 = 11.\n2x = 11 - 3 = 8\nx = 8 / 2\n#### 4",
            {
                "steps": 3,
                "operators": 7,
                "expression_depth": 0,
                "answer": "4",
                "answer_magnitude": Between(0.69, 0.70),
                "score": Between(0.2, 0.3),
            },
        ),
        Example(
            "Compute $\\frac{(1+2)\\cdot 3}{9}$. It equals $\\boxed{1}$.",
            {"steps": 0, "operators": 3, "expression_depth": 2, "answer": "1"},
        ),
        Example(
            "What is 12 * 12? The answer is 144.",
            {"steps": 0, "operators": 1, "answer": "144", "answer_magnitude": Between(2.16, 2.17)},
        ),
        Example(  # prose: the domain detector does not label it math, so no features
            "The museum opened in 1921 and is free = no ticket needed, as the guide said twice.",
            {"score": None, "steps": None},
        ),
    ]

    def applies(self, batch: pa.RecordBatch) -> np.ndarray:
        return domain_mask(batch, "math")

    def score_row(self, text: str, row: dict) -> dict:
        units = [u for u in text.splitlines() if u.strip()]
        if len(units) <= 1:
            units = _SENTENCE.split(text)
        steps = sum(1 for u in units if _RELATION.search(u))
        operators = len(_OPERATOR.findall(text))
        depth = expression_depth(text)
        answer = final_answer(text)
        value = answer_value(answer)
        magnitude = math.log10(1 + abs(value)) if value is not None else None
        return {
            "steps": steps,
            "operators": operators,
            "expression_depth": depth,
            "answer": answer,
            "answer_magnitude": magnitude,
            "score": math_score(steps, operators, depth, magnitude),
        }
