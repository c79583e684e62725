"""The media filter contract: judge a batch of media rows (their derived columns, never the bytes) at once.

Same verdict and rule helpers as the text filters (`processors/base.py`): per row the reason code of the
first failed rule (None = kept) and the value that tripped it. `examples` are (row fields, expected reason).
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pydantic

from platform_assets.processors.base import Verdict


class MediaFilter(pydantic.BaseModel):
    """Base of every media filter; `modalities` says which rows it judges (others pass)."""

    model_config = pydantic.ConfigDict(extra="forbid", frozen=True)

    name: ClassVar[str] = ""
    modalities: ClassVar[tuple[str, ...]] = ("image", "audio")
    examples: ClassVar[list[tuple[dict, str | None]]] = []

    def judge(self, rows: pa.Table) -> Verdict:
        raise NotImplementedError


def column(rows: pa.Table, name: str) -> np.ndarray:
    """A numeric column as float64, nulls as NaN (a NaN never fails a `<` or `>` rule)."""
    return pc.cast(rows.column(name), pa.float64()).fill_null(np.nan).to_numpy(zero_copy_only=False)


def of(rows: pa.Table, modality: str) -> np.ndarray:
    """Mask of the rows of one modality."""
    return np.asarray(rows.column("modality").to_pylist(), dtype=object) == modality


def example_rows(examples: list[tuple[dict, str | None]]) -> pa.Table:
    """A table from example rows (missing fields null), for the generic examples test."""
    from platform_assets.processors.media.schemas import CLEAN_MEDIA_SCHEMA

    names = [f for f in CLEAN_MEDIA_SCHEMA.names if f != "media"]
    schema = pa.schema([CLEAN_MEDIA_SCHEMA.field(n).with_nullable(True) for n in names])
    return pa.Table.from_pylist([row for row, _ in examples], schema=schema)
