"""Language identification with CLD2 (pycld2: Google's Compact Language Detector 2, its model compiled in).

Offline on a fresh machine, about 60 MB/s per core. CLD2 reports, per document, the share of the text in its
top language and whether it calls the guess reliable; the score is that share, halved when CLD2 itself
flags the guess unreliable (short or mixed text), so it reads like fastText's confidence: the clean stage's
default threshold 0.65 (FineWeb's, DCLM's) keeps text that is mostly one language and reliably identified.
Codes are CLD2's ISO 639-1 codes ("en", "de", "zh", "zh-Hant", ...); "unknown" with score 0 when CLD2
finds nothing.
"""

from __future__ import annotations

import numpy as np
import pycld2

VERSION = "language_id_v1"
UNKNOWN = "unknown"
_MAX_BYTES = 32_768  # CLD2 needs a few KB at most; long documents are judged by their head


def detect_languages(texts: list[str]) -> tuple[list[str], np.ndarray]:
    """Per text: the language code and its score in [0, 1] (float32)."""
    codes, scores = [], np.zeros(len(texts), dtype=np.float32)
    for i, text in enumerate(texts):
        codes.append(UNKNOWN)
        reliable, details = _detect(text.encode("utf-8", "replace")[:_MAX_BYTES])
        name, code, percent = details[0][0], details[0][1], details[0][2]
        if code != "un" and name != "Unknown":
            codes[i] = code
            scores[i] = percent / 100 * (1.0 if reliable else 0.5)
    return codes, scores


def _detect(data: bytes) -> tuple[bool, tuple]:
    try:
        reliable, _, details = pycld2.detect(data, bestEffort=True)
    except pycld2.error:
        # CLD2 rejects some byte sequences (a UTF-8 char cut by the head limit, rare controls): drop them
        text = data.decode("utf-8", "ignore")
        clean = "".join(ch for ch in text if ch.isprintable() or ch in "\n\t").encode("utf-8")
        reliable, _, details = pycld2.detect(clean, bestEffort=True)
    return reliable, details
