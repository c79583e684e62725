"""PII redaction: e-mail addresses, phone numbers, public IPv4 and IPv6 addresses -> typed placeholders.

A vectorized RE2 pre-screen over the batch finds the few documents that may hold PII; only those run the
Python `regex` substitutions, whose callbacks count each kind and let `ipaddress` decide what is public.
Private, loopback, link-local, documentation and other reserved addresses are kept (they identify nobody,
and code and docs are full of them), as datatrove's PII formatter does.
"""

from __future__ import annotations

import ipaddress

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import regex

VERSION = "pii_redact_v1"
EMAIL, PHONE, IP = "<EMAIL>", "<PHONE>", "<IP_ADDRESS>"

_EMAIL = regex.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])")
_IPV4 = regex.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.]*\d)")
_IPV6 = regex.compile(
    r"(?<![\w:.])(?:[0-9A-Fa-f]{1,4}:){2,7}(?::|[0-9A-Fa-f]{1,4})(?::[0-9A-Fa-f]{1,4})*(?![\w:])"
    r"|(?<![\w:.])(?:[0-9A-Fa-f]{1,4}:){2,}:(?:[0-9A-Fa-f]{1,4}:)*[0-9A-Fa-f]{1,4}(?![\w:])"
)
# +CC, then area/exchange/line groups separated by space, dot or dash; 9-15 digits in all. Not part of a
# longer number, a date (2024-01-15 has too few digits per group), or a dotted version/IP.
_PHONE = regex.compile(
    r"(?<![\w.+/-])(?:\+\d{1,3}[ .-]?)?(?:\(\d{2,4}\)[ .-]?|\d{2,4}[ .-])\d{3,4}[ .-]\d{3,4}(?![\w/-]|\.\d)"
)
_SCREEN = (
    r"@|\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}|[0-9A-Fa-f]{0,4}:[0-9A-Fa-f]{0,4}:"
    r"|\d{2,4}\)?[ .-]\d{3,4}[ .-]\d{3,4}"
)


def redact_texts(texts: pa.Array) -> tuple[pa.Array, dict[str, np.ndarray]]:
    """The redacted texts, and per document how many e-mails, phones and IPs were replaced (int32)."""
    n = len(texts)
    counts = {k: np.zeros(n, dtype=np.int32) for k in ("pii_emails", "pii_phones", "pii_ips")}
    screen = pc.match_substring_regex(texts, _SCREEN).to_numpy(zero_copy_only=False)
    if not screen.any():
        return texts, counts
    rows = np.flatnonzero(screen)
    fixed = []
    for row, text in zip(rows, texts.filter(pa.array(screen)).to_pylist(), strict=True):
        text, counts["pii_emails"][row] = _EMAIL.subn(EMAIL, text)
        text, counts["pii_ips"][row] = _redact_ips(text)
        text, counts["pii_phones"][row] = _PHONE.subn(PHONE, text)
        fixed.append(text)
    return pc.replace_with_mask(texts, pa.array(screen), pa.array(fixed, texts.type)), counts


def _redact_ips(text: str) -> tuple[str, int]:
    found = 0

    def public(match: regex.Match) -> str:
        nonlocal found
        try:
            address = ipaddress.ip_address(match.group())
        except ValueError:
            return match.group()
        if not address.is_global:
            return match.group()
        found += 1
        return IP

    text = _IPV6.sub(public, _IPV4.sub(public, text))
    return text, found
