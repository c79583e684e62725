"""Text normalization for the clean stage: mojibake repair, Unicode NFC, line breaks, control characters,
whitespace. Vectorized over the batch with RE2 (pyarrow.compute); only documents that look like mojibake go
through ftfy, whose per-document Python cost is then paid by few.

Indentation and runs of spaces inside lines are kept (code and tables depend on them); trailing spaces,
runs of 3+ newlines and leading/trailing blank space go.
"""

from __future__ import annotations

import ftfy
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

VERSION = "normalize_v1"

# UTF-8 read as Latin-1/cp1252: a lead byte (Â Ã â Ð ...) followed by a continuation byte's cp1252 char;
# or a raw C1 control character.
_MOJIBAKE_HINT = (
    r"[\x{80}-\x{9f}]|[\x{c2}-\x{df}\x{e2}\x{f0}][\x{a0}-\x{bf}\x{152}\x{153}\x{160}\x{161}\x{178}"
    r"\x{17d}\x{17e}\x{192}\x{2c6}\x{2dc}\x{2013}\x{2014}\x{2018}-\x{201e}\x{2020}-\x{2022}\x{2026}"
    r"\x{2030}\x{2039}\x{203a}\x{20ac}\x{2122}]"
)
_FTFY = ftfy.TextFixerConfig(
    unescape_html=False,
    remove_terminal_escapes=True,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    remove_control_chars=False,
    normalization=None,
    explain=False,
)
_LINE_BREAKS = r"\r\n?|[\x{0b}\x{0c}\x{85}\x{2028}\x{2029}]"
# C0 controls but tab and newline, DEL, C1, zero-width space, soft hyphen, BOM, non-characters.
_CONTROL = r"[\x{00}-\x{08}\x{0e}-\x{1f}\x{7f}-\x{9f}\x{ad}\x{200b}\x{feff}\x{fffe}\x{ffff}]"
_SPACES = r"[\x{a0}\x{1680}\x{2000}-\x{200a}\x{202f}\x{205f}\x{3000}]"


def normalize_texts(texts: pa.Array) -> pa.Array:
    """The normalized texts (large_string), same length and order; nulls become ""."""
    texts = texts.cast(pa.large_string()).fill_null("")
    texts = _repair_mojibake(texts)
    texts = pc.replace_substring_regex(texts, _LINE_BREAKS, "\n")
    texts = pc.replace_substring_regex(texts, _CONTROL, "")
    texts = _nfc(texts)
    texts = pc.replace_substring_regex(texts, _SPACES, " ")
    texts = pc.replace_substring_regex(texts, r"[ \t]+\n", "\n")
    texts = pc.replace_substring_regex(texts, r"\n{3,}", "\n\n")
    return pc.utf8_trim_whitespace(texts)


def _repair_mojibake(texts: pa.Array) -> pa.Array:
    suspect = pc.match_substring_regex(texts, _MOJIBAKE_HINT).to_numpy(zero_copy_only=False)
    if not suspect.any():
        return texts
    fixed = [ftfy.fix_text(t, _FTFY) for t in texts.filter(pa.array(suspect)).to_pylist()]
    return pc.replace_with_mask(texts, pa.array(suspect), pa.array(fixed, pa.large_string()))


def _nfc(texts: pa.Array) -> pa.Array:
    wide = ~pc.string_is_ascii(texts).to_numpy(zero_copy_only=False)
    if not wide.any():
        return texts
    mask = pa.array(wide)
    return pc.replace_with_mask(texts, mask, pc.utf8_normalize(texts.filter(mask), "NFC"))


def is_empty(texts: pa.Array) -> np.ndarray:
    return pc.utf8_length(texts).to_numpy() == 0
