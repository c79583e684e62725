"""Drop images too small to learn from or too elongated to crop sensibly."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pydantic

from platform_assets.processors.base import Verdict, above, below, first_failure
from platform_assets.processors.media.filters.base import MediaFilter, column, of
from platform_assets.processors.media.registry import register


@register("image_size_v1")
class ImageSize(MediaFilter):
    """Keeps images whose shorter side is at least `min_side` pixels and whose long/short side ratio is at
    most `max_aspect_ratio`."""

    modalities = ("image",)
    min_side: int = pydantic.Field(64, ge=1)
    max_aspect_ratio: float = pydantic.Field(3.0, ge=1)

    examples = [({"modality": "image", "width": 512, "height": 384}, None),
                ({"modality": "image", "width": 40, "height": 40}, "image_too_small"),
                ({"modality": "image", "width": 1200, "height": 100}, "bad_aspect_ratio"),
                ({"modality": "audio", "duration_s": 2.0}, None)]

    def judge(self, rows: pa.Table) -> Verdict:
        w, h = column(rows, "width"), column(rows, "height")
        image = of(rows, "image")
        short = np.where(image, np.fmin(w, h), np.nan)
        ratio = np.where(image, np.fmax(w, h) / np.where(short > 0, short, np.nan), np.nan)
        return first_failure(rows.num_rows, [below(short, self.min_side, "image_too_small"),
                                             above(ratio, self.max_aspect_ratio, "bad_aspect_ratio")])
