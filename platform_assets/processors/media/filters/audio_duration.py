"""Drop audio clips too short to hold speech or too long for one training sample."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pydantic

from platform_assets.processors.base import Verdict, above, below, first_failure
from platform_assets.processors.media.filters.base import MediaFilter, column, of
from platform_assets.processors.media.registry import register


@register("audio_duration_v1")
class AudioDuration(MediaFilter):
    """Keeps audio of `min_seconds` to `max_seconds` seconds."""

    modalities = ("audio",)
    min_seconds: float = pydantic.Field(0.5, ge=0)
    max_seconds: float = pydantic.Field(60.0, gt=0)

    examples = [({"modality": "audio", "duration_s": 3.0}, None),
                ({"modality": "audio", "duration_s": 0.1}, "audio_too_short"),
                ({"modality": "audio", "duration_s": 600.0}, "audio_too_long"),
                ({"modality": "image", "width": 64, "height": 64}, None)]

    def judge(self, rows: pa.Table) -> Verdict:
        seconds = np.where(of(rows, "audio"), column(rows, "duration_s"), np.nan)
        return first_failure(rows.num_rows, [below(seconds, self.min_seconds, "audio_too_short"),
                                             above(seconds, self.max_seconds, "audio_too_long")])
