"""Difficulty of a multiple-choice item: the options' overlap with the question and their length skew.

An item is a question followed by two or more options lettered from A (`A) ..`, `(B) ..`, `C. ..`, `D: ..`,
one per line, or inline `(A) .. (B) ..`); a trailing `Answer: ..` line is not an option. Items are found on
any row, whatever its domain; rows without one get nulls.
- option_overlap: mean over options of the share of the option's content words found in the question;
- length_skew: longest option length / mean option length (1.0 = all equally long);
- score: 1 - ease, ease = (option_overlap + min(1, length_skew - 1)) / 2. Both cues let a guesser
  pick the answer without knowing it, so a high score means a harder item.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import regex

from platform_assets.processors.classifiers.base import Between, Example, RowClassifier
from platform_assets.processors.classifiers.registry import register

_LINE_OPTION = regex.compile(r"(?m)^[ \t]*\(?([A-H])[).:][ \t]+(\S[^\n]*)$")
_INLINE_OPTION = regex.compile(r"\(([A-H])\)\s*(.+?)(?=\s*\([A-H]\)|\n|$)")
_PREFILTER = r"(?m)^[ \t]*\(?B[).:][ \t]|\(B\)"
_ANSWER = regex.compile(r"(?im)^\s*(?:correct\s+)?answer\s*[:\-].*$")
_WORD = regex.compile(r"\w+")
_STOP = frozenset(
    "a an the of to in on and or is are was were be by for with as at it this that which what "
    "who whom how why when where do does did not no from".split()
)


def _options(text: str) -> tuple[str, list[str]] | None:
    for pattern in (_LINE_OPTION, _INLINE_OPTION):
        found = list(pattern.finditer(text))
        letters = [m.group(1) for m in found]
        k = 0
        while k < len(letters) and letters[k] == "ABCDEFGH"[k]:
            k += 1
        if k >= 2:
            return text[: found[0].start()], [m.group(2).strip() for m in found[:k]]
    return None


def _content(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP}


def mc_features(text: str) -> dict | None:
    parsed = _options(_ANSWER.sub("", text))
    if parsed is None:
        return None
    question, options = parsed
    asked = _content(question)
    overlaps = [len(words & asked) / len(words) if words else 0.0 for words in map(_content, options)]
    lengths = np.array([len(o) for o in options], dtype=float)
    skew = float(lengths.max() / lengths.mean()) if lengths.mean() > 0 else 1.0
    overlap = float(np.mean(overlaps))
    ease = (overlap + min(1.0, skew - 1.0)) / 2
    return {"num_options": len(options), "option_overlap": overlap, "length_skew": skew, "score": 1.0 - ease}


@register("difficulty_mc_v1")
class DifficultyMcV1(RowClassifier):
    """Multiple-choice cues: option count, option/question word overlap, option length skew, and a score."""

    outputs = {
        "score": pa.float32(),
        "num_options": pa.int32(),
        "option_overlap": pa.float32(),
        "length_skew": pa.float32(),
    }
    examples = [
        Example(
            "Which planet is closest to the Sun?\nA) Venus\nB) Mercury\nC) Mars\nD) Earth\nAnswer: B",
            {
                "num_options": 4,
                "option_overlap": 0.0,
                "length_skew": Between(1.333, 1.334),
                "score": Between(0.833, 0.834),
            },
        ),
        Example(
            "What gas do plants absorb? (A) oxygen gas (B) carbon dioxide gas that plants absorb",
            {"num_options": 2, "option_overlap": Between(0.549, 0.551), "length_skew": Between(1.5, 1.6)},
        ),
        Example("A plain paragraph with no options at all.", {"score": None, "num_options": None}),
    ]

    def applies(self, batch: pa.RecordBatch) -> np.ndarray:
        return pc.fill_null(pc.match_substring_regex(batch.column("text"), _PREFILTER), False).to_numpy(False)

    def score_row(self, text: str, row: dict) -> dict:
        return mc_features(text) or {}
