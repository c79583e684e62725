"""Classifier base: a classifier scores a batch of documents into named columns. It never drops a row.

Column names record where a value came from: `score__<name>` is the classifier's main number,
`label__<name>` its main label, `<name>__<feature>` any further feature (dolma's `<tagger>__<span>`).
"""

from __future__ import annotations

from typing import Any, ClassVar, NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import BaseModel, ConfigDict

from platform_assets.processors.domain import detect_domains
from platform_assets.processors.features import TextBatch


class Between(NamedTuple):
    """An example's expected value that may lie anywhere in [lo, hi] (for hand-set or trained scores)."""

    lo: float
    hi: float


class Example(NamedTuple):
    """`row` (text, or a dict with `text` and other input columns) -> expected output values by key."""

    row: str | dict[str, Any]
    expected: dict[str, Any]


class Classifier(BaseModel):
    """Scores `pa.RecordBatch`es of documents; `outputs` maps each output key to its Arrow type.

    Subclasses set `outputs`, `examples`, optionally `inputs` (batch columns they read, `text` by default)
    and `needs` (objects `build` must be given, e.g. a trained model), and implement `classify`.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    name: ClassVar[str] = ""
    outputs: ClassVar[dict[str, pa.DataType]] = {}
    inputs: ClassVar[tuple[str, ...]] = ("text",)
    needs: ClassVar[tuple[str, ...]] = ()
    examples: ClassVar[list[Example]] = []

    def classify(self, batch: pa.RecordBatch) -> dict[str, pa.Array | np.ndarray | list]:
        raise NotImplementedError

    @classmethod
    def column(cls, key: str) -> str:
        return f"{key}__{cls.name}" if key in ("score", "label") else f"{cls.name}__{key}"

    @classmethod
    def schema(cls) -> pa.Schema:
        return pa.schema([pa.field(cls.column(k), t) for k, t in cls.outputs.items()])

    def apply(self, batch: pa.RecordBatch) -> dict[str, pa.Array]:
        """Full column name -> array of `batch.num_rows` values, checked against `outputs`."""
        missing = [c for c in self.inputs if c not in batch.schema.names]
        if missing:
            raise ValueError(f"classifier {self.name}: the batch lacks input column(s) {missing}")
        values = self.classify(batch)
        if set(values) != set(self.outputs):
            raise ValueError(
                f"classifier {self.name}: produced {sorted(values)}, declared {sorted(self.outputs)}"
            )
        out = {}
        for key, kind in self.outputs.items():
            arr = pa.array(values[key], type=kind, from_pandas=True)
            if len(arr) != batch.num_rows:
                raise ValueError(
                    f"classifier {self.name}: {key} has {len(arr)} values for {batch.num_rows} rows"
                )
            out[self.column(key)] = arr
        return out


class RowClassifier(Classifier):
    """A classifier that scores one row at a time, only on the rows `applies` selects (others are null)."""

    def applies(self, batch: pa.RecordBatch) -> np.ndarray:
        return np.ones(batch.num_rows, dtype=bool)

    def score_row(self, text: str, row: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def classify(self, batch: pa.RecordBatch) -> dict[str, list]:
        values: dict[str, list] = {k: [None] * batch.num_rows for k in self.outputs}
        mask = self.applies(batch)
        if not mask.any():
            return values
        extra = [c for c in self.inputs if c != "text"]
        texts = batch.column("text").to_pylist()
        others = {c: batch.column(c).to_pylist() for c in extra}
        for i in np.flatnonzero(mask):
            if texts[i] is None:
                continue
            for key, value in self.score_row(texts[i], {c: others[c][i] for c in extra}).items():
                values[key][i] = value
        return values


def domain_mask(batch: pa.RecordBatch, domain: str) -> np.ndarray:
    """Rows labelled `domain`: the batch's `label__domain_v1` when the stack has added it, else the same
    detector run on `text` (`processors/domain.py`), so a row's features always agree with its label."""
    if "label__domain_v1" in batch.schema.names:
        labels = batch.column("label__domain_v1").to_numpy(zero_copy_only=False)
    else:
        url = batch.column("url") if "url" in batch.schema.names else None
        labels = detect_domains(TextBatch(pc.fill_null(batch.column("text"), "")), url)
    return np.asarray(labels == domain, dtype=bool)
