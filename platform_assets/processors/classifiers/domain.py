"""Domain of a document: web prose, code, math, dialog or other, with a confidence; the language of code.

Five signal rates are counted with RE2 over the whole batch (one pass each) and turned into class logits
by a small hand-set linear map; the softmax of the logits gives the confidence (`score__domain_v1`).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from platform_assets.processors.classifiers.base import Between, Classifier, Example
from platform_assets.processors.classifiers.code_language import detect_languages
from platform_assets.processors.classifiers.registry import register

DOMAINS = ("prose", "code", "math", "dialog", "other")
_PATTERNS = {
    "stop": r"(?i)\b(?:the|and|of|to|in|is|that|it|for|was|with|as|on|are|this|be|by|or|not|you|we)\b",
    "code": r"[;{}][ \t]*\n|\n[ \t]*(?:def|class|import|from|#include|package|func|fn|public|private|"
    r"return|const|let|var)\b|[=!<>]=|&&|\|\||->|=>|::|\+\+|\+=|\w\(\)|\w\.\w+\(",
    "math": r"\\(?:frac|sqrt|sum|int|cdot|times|leq|geq|le|ge|alpha|beta|theta|pi|infty|lim|log|sin|cos|"
    r"boxed|begin)\b|\$|\d\s*[-+*/^=<>×÷]\s*[\d(a-z]|[a-z]\^\d|\b(?:solve|equation|theorem|lemma|"
    r"proof|prove|integer|polynomial|derivative|integral|probability|remainder|divisible)\b",
    "dialog": r"\n[ \t]*(?:User|Assistant|Human|AI|System|Q|A|Customer|Agent|Interviewer|"
    r"[A-Z][a-z]{1,15}(?: [A-Z][a-z]{1,15})?)[ \t]*:[ \t]+\S",
    "lines": r"\n[ \t]*\S",
}
_PREFIX_CHARS = 2048  # stopword share is read from each text's start: per-match cost grows with length
# logit = bias + weights . [stop/word, code/line, math/word, dialog/line]; "other" has only a bias.
_WEIGHTS = np.array(
    [
        [14.0, -2.0, -6.0, -2.0],  # prose
        [-8.0, 5.0, -3.0, -2.0],  # code
        [-2.0, -1.0, 40.0, -2.0],  # math
        [0.0, -1.0, -4.0, 9.0],  # dialog
        [0.0, 0.0, 0.0, 0.0],  # other
    ]
)
_BIAS = np.array([-1.0, 0.0, -0.5, -1.5, 1.5])


def framed(texts: pa.Array) -> pa.Array:
    """Each text between newlines: Arrow restarts `^`/`$` at every match, so patterns anchor on `\\n`."""
    return pc.binary_join_element_wise("\n", pc.fill_null(texts, ""), "\n", "")


def _count(arr: pa.Array, pattern: str, literal: bool = False) -> np.ndarray:
    found = (pc.count_substring if literal else pc.count_substring_regex)(arr, pattern)
    return np.nan_to_num(found.to_numpy(zero_copy_only=False).astype(float))


def _words(arr: pa.Array) -> np.ndarray:
    """Word count as separators + 1 (literal counts are ~10x cheaper than a regex over every word)."""
    return _count(arr, " ", True) + _count(arr, "\n", True) - 1


def domain_probabilities(texts: pa.Array) -> np.ndarray:
    """(rows, 5) softmax over DOMAINS; `texts` as `framed` returns them."""
    c = {k: _count(texts, p) for k, p in _PATTERNS.items() if k != "stop"}
    words, lines = np.maximum(_words(texts), 1), np.maximum(c["lines"], 1)
    head = pc.utf8_slice_codeunits(texts, 0, _PREFIX_CHARS)
    stop = _count(head, _PATTERNS["stop"]) / np.maximum(_words(head), 1)
    rates = np.stack(
        [stop, np.minimum(c["code"] / lines, 2.0), np.minimum(c["math"] / words, 0.5), c["dialog"] / lines],
        axis=1,
    )
    logits = rates @ _WEIGHTS.T + _BIAS
    logits[words < 3] = np.array([0, 0, 0, 0, 5.0])  # (almost) no words: other
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@register("domain_v1")
class DomainV1(Classifier):
    """Label in prose|code|math|dialog|other, its probability, and the programming language of code."""

    outputs = {"label": pa.string(), "score": pa.float32(), "code_language": pa.string()}
    examples = [
        Example(
            "The committee met on Tuesday to review the budget, and it agreed that the new library "
            "should open in the spring. Most of the members were in favour of the plan.",
            {"label": "prose", "score": Between(0.8, 1.0), "code_language": None},
        ),
        Example(
            "def area(r):\n    return 3.14159 * r ** 2\n\nclass Circle:\n    def __init__(self, r):\n"
            "        self.r = r\n",
            {"label": "code", "code_language": "python"},
        ),
        Example(
            '#include <stdio.h>\nint main(void) {\n    printf("hi\\n");\n    return 0;\n}\n',
            {"label": "code", "code_language": "c"},
        ),
        Example(
            "Solve for x: $2x + 3 = 11$. Subtracting 3 gives $2x = 8$, so $x = \\frac{8}{2} = 4$.",
            {"label": "math", "code_language": None},
        ),
        Example(
            "User: Can you recommend a book about bees?\nAssistant: Try The Hive by Bee Wilson.\n"
            "User: Thanks, is it long?\nAssistant: About 300 pages.",
            {"label": "dialog"},
        ),
        Example("12.99 | 14.50 | 3 | SKU-11\n8.00 | 9.10 | 7 | SKU-12", {"label": "other"}),
        Example("", {"label": "other", "code_language": None}),
    ]

    def classify(self, batch: pa.RecordBatch) -> dict[str, list | np.ndarray]:
        texts = framed(batch.column("text"))
        probs = domain_probabilities(texts)
        best = probs.argmax(axis=1)
        labels = [DOMAINS[b] for b in best]
        is_code = best == DOMAINS.index("code")
        langs: list[str | None] = [None] * len(labels)
        if is_code.any():
            idx = np.flatnonzero(is_code)
            for i, lang in zip(idx, detect_languages(texts.take(pa.array(idx))), strict=True):
                langs[i] = lang
        return {
            "label": labels,
            "score": probs[np.arange(len(best)), best].astype(np.float32),
            "code_language": langs,
        }
