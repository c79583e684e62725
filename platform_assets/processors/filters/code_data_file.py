"""Data dumped as code: encoded blobs (StarCoder's encoded-data rule) and numeric tables."""

from __future__ import annotations

import pyarrow.compute as pc

from platform_assets.processors.base import Filter, Verdict, above, first_failure
from platform_assets.processors.features import TextBatch, ratio
from platform_assets.processors.filters._bounds import Count, Fraction
from platform_assets.processors.filters._samples import CODE
from platform_assets.processors.registry import register

# StarCoder's encoded-data patterns: base64 runs, hex byte lists, unicode escapes.
_ENCODED = (
    r"[a-zA-Z0-9+/=\n]{64,}|(?:\b(?:0x|\\x)?[0-9a-fA-F]{2}(?:,\s*|\b\s*)){8,}"
    r"|(?:\\u[0-9a-fA-F]{4}){8,}"
)
# A line of numbers and separators only (CSV/TSV rows, array literals of numbers).
_NUMERIC_ROW = r"^[\s\d.,;:+\-eE\[\](){}\"'|]*\d[\s\d.,;:+\-eE\[\](){}\"'|]*$"


@register("code_data_file_v1")
class CodeDataFile(Filter):
    """Drops "code" that is mostly data: encoded blobs over `max_encoded_fraction` of the characters (or
    over `max_encoded_chars`), or numeric rows over `max_numeric_line_fraction` of the non-blank lines."""

    max_encoded_fraction: Fraction | None = 0.5
    max_encoded_chars: Count | None = 1024
    max_numeric_line_fraction: Fraction | None = 0.5

    examples = [
        (CODE, None),
        (
            'ICON = "' + "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk" * 30 + '"\n',
            "code_encoded_data",
        ),
        ("x,y,z\n" + "\n".join(f"{i},{i * 2}.5,{i % 7}" for i in range(40)), "code_numeric_data"),
    ]

    def judge(self, batch: TextBatch) -> Verdict:
        remaining = pc.utf8_length(pc.replace_substring_regex(batch.texts, _ENCODED, "")).to_numpy()
        encoded = batch.n_chars - remaining
        lines, keep = batch.lines, batch.nonblank
        numeric = ratio(lines.sum(keep & lines.match(_NUMERIC_ROW)), lines.sum(keep))
        return first_failure(
            batch.n,
            [
                above(encoded, self.max_encoded_chars, "code_encoded_data"),
                above(ratio(encoded, batch.n_chars), self.max_encoded_fraction, "code_encoded_data"),
                above(numeric, self.max_numeric_line_fraction, "code_numeric_data"),
            ],
        )
