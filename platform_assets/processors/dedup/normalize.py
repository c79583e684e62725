"""Text keys for deduplication: what counts as "the same text" (vectorized with pyarrow.compute)."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc


def exact_key_text(texts: pa.Array) -> pa.Array:
    """Lower-cased, whitespace-collapsed, trimmed text: two documents that differ only there are equal."""
    text = pc.utf8_lower(texts)
    text = pc.replace_substring_regex(text, r"\s+", " ")
    return pc.utf8_trim_whitespace(text)


def shingle_text(texts: pa.Array) -> pa.Array:
    """Text for word shingles, as datatrove's `simplify_text`: lower case, no accents, no punctuation
    (whitespace is left to the splitter).

    Unlike datatrove, digits are kept: templated math problems that differ only in their numbers are
    different documents, and mapping digits to 0 merged them (false positives on the demo's math source).
    """
    text = pc.utf8_normalize(pc.utf8_lower(texts), "NFD")
    text = pc.replace_substring_regex(text, r"\p{Mn}+", "")
    return pc.replace_substring_regex(text, r"[\p{P}\p{S}]+", " ")


def words(texts: pa.Array) -> pa.ListArray:
    """Whitespace-split words of `shingle_text(texts)`, one list per document."""
    text = pc.utf8_trim_whitespace(shingle_text(texts))
    # A blank document must have no words (splitting "" would give one empty word).
    blank = pc.equal(pc.utf8_length(text), 0)
    return pc.utf8_split_whitespace(pc.if_else(blank, pa.scalar(None, text.type), text))
