"""PII redaction: e-mail addresses, phone numbers, public IPv4 and IPv6 addresses -> typed placeholders.

A vectorized RE2 pre-screen over the batch finds the few documents that may hold PII; only those run the
Python `regex` substitutions, whose callbacks count each kind and let `ipaddress` decide what is public.
Private, loopback, link-local, documentation and other reserved addresses are kept (they identify nobody,
and code and docs are full of them), as datatrove's PII formatter does; of IPv6 only global unicast
(2000::/3) and IPv4-mapped public addresses count as public, so `a::b` or `beef::1` in code stay.

Phones: `+CC` numbers (E.164 runs or grouped, 8-15 digits), national numbers in groups (9-15 digits), and
separator-free runs of 10-15 digits shaped like a phone (NANP, trunk 0, 00 + country code) or following a
phone word. A candidate is kept as it is when it reads as a date, a timestamp, a run of years, an ISBN, a
price, a code expression, a thousands-grouped number, or an order/account/reference number.
"""

from __future__ import annotations

import ipaddress

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import regex

VERSION = "pii_redact_v2"
EMAIL, PHONE, IP = "<EMAIL>", "<PHONE>", "<IP_ADDRESS>"

_EMAIL = regex.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])")
_IPV4 = regex.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.]*\d)")
# Any run of hex groups and colons with two colons (every `::` form, a trailing dotted IPv4 allowed);
# `ipaddress` decides. Not after `x[` (a slice such as a[2000::2]).
_IPV6 = regex.compile(
    r"(?<![\w:.]|\w\[)(?=[0-9A-Fa-f]{0,4}:[0-9A-Fa-f]{0,4}:)[0-9A-Fa-f:]{2,39}(?:\.\d{1,3}){0,3}"
    r"(?![\w:]|\.\d)"
)
_GLOBAL_UNICAST = ipaddress.ip_network("2000::/3")
_PHONE = regex.compile(
    r"(?<![\w.+/-]|\d,)(?:"
    r"\+\d{1,3}(?:[ .-]?\(\d{1,4}\))?(?:[ .-]?\d{1,12})(?:[ .-]\d{1,6}){0,6}"  # +CC, E.164 or grouped
    r"|(?:\(\d{2,4}\)[ .-]?|\d{2,4}[ .-])\d{3,4}[ .-]\d{3,4}"  # area, exchange, line
    r"|0\d{1,4}(?:[ .-]\d{2,8}){1,4}"  # trunk 0 or 00: 07700 900123, 01 42 68 53 00, 0049 30 12345678
    r"|\d{10,15}"  # separator-free
    r")(?![\w/-]|[.,:]\d)"
)
_THOUSANDS = regex.compile(r"\d{1,3}([ .,])\d{3}(?:\1\d{3})*")
_INT_LIMITS = {"2147483647", "2147483648", "4294967295", "4294967296"}  # 2**31, 2**32 (code is full of them)
_BARE_PHONE = regex.compile(r"[2-9]\d\d[2-9]\d{6}|1[2-9]\d\d[2-9]\d{6}|0[1-9]\d{8,9}|00[1-9]\d{9,12}")
_PHONE_WORD = regex.compile(
    r"(?i)\b(?:phone|tel|telephone|call|mobile|cell|fax|whatsapp|sms|ring|dial|hotline)\b\W{0,4}$"
)
_NUMBER_CONTEXT = regex.compile(
    r"(?i)(?:\b(?:isbn(?:-1[03])?|issn|ean|upc|gtin|sku|asin|order|invoice|receipt|tracking|account|acct"
    r"|iban|serial|ref|reference|transaction|txn|id|imei|patent|ticket|case)\b\.?"
    r"(?:\s*(?:number|num|no|nr)\b\.?)?[\s:#-]{0,3}|#\s?|[$€£¥₹]\s?|[=<>*%^&|]\s*)$"
)
_CURRENCY_AFTER = regex.compile(r"(?i)\s?(?:[$€£¥₹%]|(?:usd|eur|gbp|jpy|dollars?|euros?|pounds?|yen)\b)")
_DATE = regex.compile(
    r"(?:0?[1-9]|[12]\d|3[01])([./-])(?:0?[1-9]|[12]\d|3[01])\1(?:19|20)?\d\d(?!\d)"
    r"|(?:19|20)\d\d([./-])(?:0?[1-9]|1[0-2])\2(?:0?[1-9]|[12]\d|3[01])(?!\d)"
    r"|(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?:[01]\d|2[0-3])?(?:[0-5]\d){0,2}$"
)
_SCREEN = (
    r"@|\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}|[0-9A-Fa-f]{0,4}:[0-9A-Fa-f]{0,4}:"
    r"|\+\d{1,3}[ .(-]*\d|\d{2,4}\)?[ .-]\d{2,4}[ .-]\d{2}|\d{3,5}[ .-]\d{5,6}|\d{10}"
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
        text, counts["pii_phones"][row] = _redact_phones(text)
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


def _redact_phones(text: str) -> tuple[str, int]:
    found = 0

    def phone(match: regex.Match) -> str:
        nonlocal found
        if not _is_phone(
            match.group(), text[max(0, match.start() - 40) : match.start()], text[match.end() :]
        ):
            return match.group()
        found += 1
        return PHONE

    return _PHONE.sub(phone, text), found


def _is_phone(candidate: str, before: str, after: str) -> bool:
    """Whether a `_PHONE` match is a phone number, given the text before and after it."""
    groups = regex.findall(r"\d+", candidate)
    digits = sum(map(len, groups))
    if candidate.startswith("+"):
        return 8 <= digits <= 15
    if digits < 9 or _NUMBER_CONTEXT.search(before) or _CURRENCY_AFTER.match(after):
        return False
    if _DATE.match(candidate) or all(len(g) == 4 and g[:2] in ("19", "20") for g in groups):
        return False
    if _THOUSANDS.fullmatch(candidate) or candidate in _INT_LIMITS:
        return bool(_PHONE_WORD.search(before))
    if candidate.isdigit():
        isbn = len(candidate) == 13 and candidate[:3] in ("978", "979") and _ean_check(candidate)
        return not isbn and bool(_BARE_PHONE.fullmatch(candidate) or _PHONE_WORD.search(before))
    return True


def _ean_check(digits: str) -> bool:
    return sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits)) % 10 == 0
