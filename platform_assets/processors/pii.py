"""PII redaction: e-mail addresses, phone numbers, public IPv4 and IPv6 addresses -> typed placeholders.

A vectorized RE2 pre-screen over the batch finds the few documents that may hold PII; only those run the
Python `regex` substitutions, whose callbacks count each kind and let `ipaddress` decide what is public.
Private, loopback, link-local, documentation and other reserved addresses are kept (they identify nobody,
and code and docs are full of them), as datatrove's PII formatter does; of IPv6 only global unicast
(2000::/3) and IPv4-mapped public addresses count as public, so `a::b` or `beef::1` in code stay.

Phones: `phones.py` (international, North American and national forms with extensions; guards for
dates, prices, IDs, versions and code).
"""

from __future__ import annotations

import ipaddress

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import regex

from platform_assets.processors import phones

VERSION = "pii_redact_v3"
EMAIL, PHONE, IP = "<EMAIL>", phones.PHONE, "<IP_ADDRESS>"

_EMAIL = regex.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])")
_IPV4 = regex.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.]*\d)")
# Any run of hex groups and colons with two colons (every `::` form, a trailing dotted IPv4 allowed);
# `ipaddress` decides. Not after `x[` (a slice such as a[2000::2]).
_IPV6 = regex.compile(
    r"(?<![\w:.]|\w\[)(?=[0-9A-Fa-f]{0,4}:[0-9A-Fa-f]{0,4}:)[0-9A-Fa-f:]{2,39}(?:\.\d{1,3}){0,3}"
    r"(?![\w:]|\.\d)"
)
_GLOBAL_UNICAST = ipaddress.ip_network("2000::/3")
_SCREEN = (
    r"@|\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}|[0-9A-Fa-f]{0,4}:[0-9A-Fa-f]{0,4}:"
    r"|" + phones.SCREEN
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
        text, counts["pii_phones"][row] = phones.redact_phones(text)
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
        if address.version == 6:
            mapped = address.ipv4_mapped
            is_public = mapped.is_global if mapped else address in _GLOBAL_UNICAST and address.is_global
        else:
            is_public = address.is_global
        if not is_public:
            return match.group()
        found += 1
        return IP

    text = _IPV4.sub(public, _IPV6.sub(public, text))
    return text, found
