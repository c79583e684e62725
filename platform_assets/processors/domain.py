"""A fast built-in domain detector: prose, code, math, dialog or other, from a few RE2 counts per document.

It picks the filter chain for documents whose source names no domain (a web crawl mixes prose pages with
code listings, formula-heavy pages and forum threads). Each signal is a share of the document's non-blank
lines or a density per 1,000 characters; the first domain whose signal clears its bar wins, in the order
code, math, dialog, prose; a document with little running text is "other".
"""

from __future__ import annotations

import numpy as np

from platform_assets.processors.features import ASCII_LETTERS, TextBatch, byte_table, ratio

VERSION = "domain_detect_v1"

DOMAINS = ("prose", "code", "math", "dialog", "other")

# A line that only code writes: a statement end, a block opener/closer, a keyword opening a declaration.
_CODE_END = r"(?m)(?:;|\{|\}|\)\s*:|=>|->)[ \t]*$"
_CODE_START = (
    r"(?m)^[ \t]*(?:def|class|import|from|#include|#define|package|public|private|protected|static|function|"
    r"func|fn|let|const|var|return|if|for|while|else|elif|try|except|using|namespace|struct|impl|enum|@\w+)\b"
)
_MATH = (
    r"\$[^$\n]{1,200}\$|\\(?:frac|sum|int|prod|sqrt|lim|begin\{(?:equation|align|theorem|proof)\}|"
    r"mathbb|mathrm|alpha|beta|gamma|delta|theta|lambda|sigma|infty|cdot|leq|geq|neq|partial|in)\b|"
    r"[∑∏∫√∞≤≥≠≈∂∇∈⊂⊆∀∃]"
)
_TURN = r"(?m)^[^\n:]{1,32}:[ \t]+\S"  # "Speaker: text"
_LETTERS = byte_table(ASCII_LETTERS, non_ascii=True)
_INDENTED = r"(?m)^(?: {2,}|\t)\S"


def detect_domains(batch: TextBatch) -> np.ndarray:
    """Per document: one of DOMAINS (an object array)."""
    lines = np.maximum(batch.lines.sum(batch.nonblank), 1)
    per_k = np.maximum(batch.n_chars, 1) / 1000
    code = ratio(np.maximum(batch.count(_CODE_END), batch.count(_CODE_START)), lines)
    indented = ratio(batch.count(_INDENTED), lines)
    math = batch.count(_MATH) / per_k
    turns = ratio(batch.count(_TURN), lines)
    letters = ratio(batch.count_bytes(_LETTERS), batch.n_chars)
    out = np.full(batch.n, "other", dtype=object)
    out[letters >= 0.6] = "prose"
    out[(turns >= 0.6) & (lines >= 2)] = "dialog"
    out[math >= 3] = "math"
    out[(code >= 0.3) | ((code >= 0.15) & (indented >= 0.3))] = "code"
    return out
