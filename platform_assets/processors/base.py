"""The processor contract: a filter judges a whole batch of texts at once and explains every drop.

A filter is a pydantic model (its fields are the thresholds that `filters.yaml` sets) with one method,
`judge(batch) -> Verdict`, vectorized over a `TextBatch`. A verdict holds, per document, the reason code of
the first rule it failed (None = kept) and the value that tripped it. Filters that edit the text (C4 drops
lines) also return the edited texts. Each filter lists `examples` (text -> expected reason, None = keep);
one generic test runs them all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pyarrow as pa
import pydantic

from platform_assets.processors.features import TextBatch


@dataclass
class Verdict:
    """Per document: `reasons` (None = kept), `scores` (NaN where none), and the edited texts if any.

    `lines_removed`: per document, the non-blank lines an editing filter cut (None if it edits nothing).
    """

    reasons: np.ndarray
    scores: np.ndarray
    texts: pa.Array | None = None
    lines_removed: np.ndarray | None = None

    @classmethod
    def keep_all(cls, n: int, texts: pa.Array | None = None) -> Verdict:
        return cls(np.full(n, None, dtype=object), np.full(n, np.nan), texts)


Rule = tuple[str, np.ndarray, np.ndarray]  # (reason, failed mask, the value each document scored)


def first_failure(n: int, rules: Iterable[Rule | None], texts: pa.Array | None = None) -> Verdict:
    """The verdict when rules are checked in order and the first failed one decides (None rules are off)."""
    verdict = Verdict.keep_all(n, texts)
    for rule in reversed([r for r in rules if r is not None]):
        reason, failed, score = rule
        failed = np.asarray(failed, dtype=bool)
        verdict.reasons[failed] = reason
        verdict.scores[failed] = np.broadcast_to(np.asarray(score, dtype=np.float64), (n,))[failed]
    return verdict


def below(values: np.ndarray, threshold: float | None, reason: str) -> Rule | None:
    """Rule failing where `values < threshold`; off when the threshold is None."""
    return None if threshold is None else (reason, values < threshold, values)


def above(values: np.ndarray, threshold: float | None, reason: str) -> Rule | None:
    """Rule failing where `values > threshold`; off when the threshold is None."""
    return None if threshold is None else (reason, values > threshold, values)


class Filter(pydantic.BaseModel):
    """Base of every document filter; subclasses set `name` via @register and implement `judge`."""

    model_config = pydantic.ConfigDict(extra="forbid", frozen=True)

    name: ClassVar[str] = ""
    stage: ClassVar[str] = "quality"
    edits_text: ClassVar[bool] = False  # True: judge() returns edited texts that later filters must see
    examples: ClassVar[list[tuple[str, str | None]]] = []

    def judge(self, batch: TextBatch) -> Verdict:
        raise NotImplementedError

    def keep(self, text: str) -> bool | tuple[bool, str]:
        """One document at a time (for notebooks and tests): True, or (False, reason)."""
        reason = self.judge(TextBatch.from_texts([text])).reasons[0]
        return True if reason is None else (False, reason)
