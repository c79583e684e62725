"""Drop items whose caption or transcript is missing, too short, too long or in the wrong language.

The language comes from the clean stage's language ID (CLD2, `processors/language.py`), computed on the
caption before the filters run (columns `language`, `language_score`).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pydantic

from platform_assets.processors.base import Verdict, above, below, first_failure
from platform_assets.processors.media.filters.base import MediaFilter, column
from platform_assets.processors.media.registry import register


@register("caption_v1")
class Caption(MediaFilter):
    """Keeps items with a caption of `min_chars` to `max_chars` characters, in one of `languages` (None =
    any) with a language score of at least `min_language_score`."""

    min_chars: int = pydantic.Field(10, ge=1)
    max_chars: int = pydantic.Field(2000, ge=1)
    languages: list[str] | None = ["en"]
    min_language_score: float = pydantic.Field(0.5, ge=0, le=1)

    examples = [({"modality": "image", "caption": "A cat sleeps on a red sofa in the sun.", "language": "en",
                  "language_score": 0.99}, None),
                ({"modality": "image", "caption": None}, "missing_caption"),
                ({"modality": "image", "caption": "cat", "language": "en", "language_score": 0.5},
                 "caption_too_short"),
                ({"modality": "audio", "caption": "Ein Hund spielt im Garten mit einem Ball.",
                  "language": "de", "language_score": 0.98}, "caption_language")]

    def judge(self, rows: pa.Table) -> Verdict:
        text = rows.column("caption")
        missing = text.is_null().to_numpy(zero_copy_only=False)
        chars = pc.utf8_length(pc.utf8_trim_whitespace(text.fill_null(""))).to_numpy(
            zero_copy_only=False).astype(np.float64)
        rules = [("missing_caption", missing | (chars == 0), chars),
                 below(np.where(missing, np.nan, chars), self.min_chars, "caption_too_short"),
                 above(chars, self.max_chars, "caption_too_long")]
        if self.languages is not None:
            lang = np.asarray(rows.column("language").to_pylist(), dtype=object)
            score = column(rows, "language_score")
            wrong = ~np.isin(lang, self.languages) | (np.nan_to_num(score) < self.min_language_score)
            rules.append(("caption_language", wrong & ~missing, score))
        return first_failure(rows.num_rows, rules)
