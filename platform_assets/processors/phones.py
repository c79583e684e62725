"""Phone numbers in running text -> `<PHONE>`, with guards for the numbers that only look like phones.

Candidates, in order: international numbers (`+CC`, or dialled from abroad with `00`/`011`, E.164 runs or
grouped, a `(0)` allowed); North American numbers (`(650) 555-0123`, `650.555.0123`, `650/555-0123`, a
leading `1`/`+1`); numbers with a parenthesised or separated area code (`(02) 9876 5432`,
`8 (495) 123-45-67`); national numbers with a trunk `0` (`030/1234567`, `06 12 34 56 78`); and runs of
10-15 digits. An extension (`x123`, `ext. 12`, `extension 4`) goes with the number. An international
candidate must be a possible number of its country code in libphonenumber's offline metadata
(`phonenumbers`). A national candidate is kept as it is when it reads as a date, a timestamp, a run of
years, an ISBN, a price, a code expression, a thousands-grouped number, an all-zero group (ORCID), or an
order/account/part/reference number; a separator-free run must be shaped like a phone or follow a phone word.
"""

from __future__ import annotations

import phonenumbers
import regex

PHONE = "<PHONE>"

SCREEN = r"\+\d|\d[ ./()-]{1,2}\d{2,}[ ./-]\d{2}|\d[ ./()-]{1,2}\d{6}|\d{9}"
_EXT = r"(?:,?[ ]?(?i:x|ext\.?|extension)[ ]?\d{1,6}(?!\d))?"
_PHONE = regex.compile(
    r"(?<![\w.+/-]|\d,)(?P<main>"
    r"(?:\+|(?<!\d)(?:00|011)[ .-]?)[1-9]\d{0,2}(?:[ .-]?\(0?\d{0,4}\))?[ .-]?\d{1,12}(?:[ .-]\d{1,12}){0,6}"
    r"|(?:1[ .-]?)?(?:\(\d{3}\)[ .-]?|\d{3}[ ./-]?)\d{3}[ .-]?\d{4}"  # NANP
    r"|(?:[18][ .-]?)?(?:\(\d{2,5}\)[ .-]?|\d{2,4}[ ./-])\d{3,5}(?:[ .-]\d{2,4}){1,2}"  # area code
    r"|0\d{1,4}(?:[ ./-]\d{2,8}){1,4}"  # trunk 0: 07700 900123, 01 42 68 53 00, 030/1234567
    r"|\d{10,15}"  # separator-free
    r")(?P<ext>" + _EXT + r")(?![\w/-]|[.,:]\d)"
)
_THOUSANDS = regex.compile(r"\d{1,3}([ .,])\d{3}(?:\1\d{3})*")
_INT_LIMITS = {"2147483647", "2147483648", "4294967295", "4294967296"}  # 2**31, 2**32 (code is full of them)
_BARE_PHONE = regex.compile(r"[2-9]\d\d[2-9]\d{6}|1[2-9]\d\d[2-9]\d{6}|0[1-9]\d{8,9}|00[1-9]\d{9,12}")
_PHONE_WORD = regex.compile(
    r"(?i)\b(?:phone|tel|telephone|call|mobile|cell|fax|whatsapp|sms|ring|dial|hotline)\b\W{0,4}$"
)
_NUMBER_CONTEXT = regex.compile(
    r"(?i)(?:\b(?:isbn(?:-1[03])?|issn|ean|upc|gtin|sku|asin|order|invoice|receipt|tracking|account|acct"
    r"|iban|serial|ref|reference|transaction|txn|id|imei|patent|ticket|case|orcid|part|model|item)\b\.?"
    r"(?:\s*(?:number|num|no|nr)\b\.?)?[\s:#-]{0,3}|#\s?|[$€£¥₹]\s?|[=<>*%^&|]\s*)$"
)
# A bare digit run among operators, brackets, commas or quotes is a constant in code or data.
_CODE_BEFORE = regex.compile(r"(?:[(\[{+*/=?'\"`-]|[\'\"]:)\s*$|,(?:\s{2,})?$")
_CODE_AFTER = regex.compile(r"\s*[*/+)\]}'\"`-]")
_MIXED_DOTS = regex.compile(r"\..*[ /-]|[ /-].*\.")  # decimals in a row: 47.0544 118.199
_OPEN_BRACKET = regex.compile(r"[\[{][^\]}\n]*$|\w\([^)\n]*$")  # inside [...], {...} or f(...)
_OPERATOR_AFTER = regex.compile(r"[ ]?(?:[*^%=<>!]|/\d)")
_LIST_BEFORE = regex.compile(r"\d[ ]+$")  # rows of numbers: 999 1000 1001, SVG paths
_LIST_AFTER = regex.compile(r"[ ]+\d")
_DOTTED_QUAD = regex.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
_YEAR_IN_PARENS = regex.compile(r"\((?:19|20)\d\d\)")  # Physica A 388 (2009) 764-774
_POSSIBLE = phonenumbers.ValidationResult.IS_POSSIBLE
_CURRENCY_AFTER = regex.compile(r"(?i)\s?(?:[$€£¥₹%]|(?:usd|eur|gbp|jpy|dollars?|euros?|pounds?|yen)\b)")
_DATE = regex.compile(
    r"(?:0?[1-9]|[12]\d|3[01])([./-])(?:0?[1-9]|[12]\d|3[01])\1(?:19|20)?\d\d(?!\d)"
    r"|(?:19|20)\d\d([./-])(?:0?[1-9]|1[0-2])\2(?:0?[1-9]|[12]\d|3[01])(?!\d)"
    r"|(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?:[01]\d|2[0-3])?(?:[0-5]\d){0,2}$"
)


def redact_phones(text: str) -> tuple[str, int]:
    """`text` with each phone number (and its extension) replaced by `<PHONE>`, and how many were."""
    found = 0

    def phone(match: regex.Match) -> str:
        nonlocal found
        before = text[max(0, match.start() - 40) : match.start()]
        if not is_phone(match.group("main"), before, text[match.end("main") :]):
            return match.group()
        found += 1
        return PHONE

    return _PHONE.sub(phone, text), found


def is_phone(candidate: str, before: str, after: str) -> bool:
    """Whether a candidate is a phone number, given the text before and after it."""
    if _OPERATOR_AFTER.match(after):
        return False
    if candidate[0] == "+":
        return _possible(candidate) or _possible(regex.sub(r"^(\+\d{1,3})[ .-]\d[ .-]", r"\1 ", candidate))
    if not _written_like_a_phone(candidate, before, after):
        return False
    abroad = regex.match(r"(?:00|011)[ .-]?(?=[1-9])", candidate)
    if abroad and _possible("+" + candidate[abroad.end() :]):
        return True
    return _is_national(candidate, before, after)


def _written_like_a_phone(candidate: str, before: str, after: str) -> bool:
    """Not a decimal, a row of numbers, a dotted quad or a citation's `(year) pages`."""
    body = regex.sub(r"^[18]?[ .-]?\(\d+\)", "", candidate)
    if candidate.count(".") == 1 or _MIXED_DOTS.search(body) or _DOTTED_QUAD.fullmatch(candidate):
        return False
    return not (_LIST_BEFORE.search(before) or _LIST_AFTER.match(after) or _YEAR_IN_PARENS.match(candidate))


def _possible(number: str) -> bool:
    digits = sum(c.isdigit() for c in number)
    if not 8 <= digits <= 15:
        return False
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_possible_number_with_reason(parsed) == _POSSIBLE


def _is_national(candidate: str, before: str, after: str) -> bool:
    groups = regex.findall(r"\d+", candidate)
    if sum(map(len, groups)) < 9 or _NUMBER_CONTEXT.search(before) or _CURRENCY_AFTER.match(after):
        return False
    if _DATE.match(candidate) or all(len(g) == 4 and g[:2] in ("19", "20") for g in groups):
        return False
    if set(groups[0]) == {"0"}:  # ORCID 0000-0002-..., serials
        return False
    if _THOUSANDS.fullmatch(candidate) or candidate in _INT_LIMITS:
        return bool(_PHONE_WORD.search(before))
    if candidate.isdigit():
        if _PHONE_WORD.search(before):
            return True
        isbn = len(candidate) == 13 and candidate[:3] in ("978", "979") and _ean_check(candidate)
        in_code = _CODE_BEFORE.search(before) or _CODE_AFTER.match(after) or _OPEN_BRACKET.search(before)
        return not isbn and not in_code and bool(_BARE_PHONE.fullmatch(candidate))
    return not _MIXED_DOTS.search(regex.sub(r"^[18]?[ .-]?\(\d+\)", "", candidate))


def _ean_check(digits: str) -> bool:
    return sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits)) % 10 == 0
