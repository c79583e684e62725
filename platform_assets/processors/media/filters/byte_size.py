"""Drop files whose size says they are placeholders (tiny) or outliers (huge)."""

from __future__ import annotations

import pyarrow as pa
import pydantic

from platform_assets.processors.base import Verdict, above, below, first_failure
from platform_assets.processors.media.filters.base import MediaFilter, column
from platform_assets.processors.media.registry import register


@register("byte_size_v1")
class ByteSize(MediaFilter):
    """Keeps files of `min_bytes` to `max_bytes` bytes."""

    min_bytes: int = pydantic.Field(512, ge=0)
    max_bytes: int = pydantic.Field(16 << 20, ge=1)

    examples = [({"modality": "image", "byte_size": 40_000}, None),
                ({"modality": "image", "byte_size": 100}, "too_few_bytes"),
                ({"modality": "audio", "byte_size": 40 << 20}, "too_many_bytes")]

    def judge(self, rows: pa.Table) -> Verdict:
        size = column(rows, "byte_size")
        return first_failure(rows.num_rows, [below(size, self.min_bytes, "too_few_bytes"),
                                             above(size, self.max_bytes, "too_many_bytes")])
