"""English affix rules: what splits off the front (prefixes), the back (suffixes) and the inside (infixes) of
a whitespace-separated chunk, and what a URL looks like.

The rule lists of spaCy 3.8's English tokenizer, which datatrove's English word splitter uses, with its
letter classes written as Unicode properties (\\p{L}; \\p{Ll} or \\p{Lu}, each with \\p{Lo}) and its symbol
class as \\p{So} less the symbols Unicode added after spaCy drew its list up. As in spaCy, a prefix is the
first alternative that matches at the start (not the longest), a suffix the match that starts earliest.
"""

from __future__ import annotations

import regex

# spaCy counts letters of scripts without case (CJK, kana, Hebrew, Arabic ...) as both lower and upper case
ALPHA, LOWER, UPPER = r"\p{L}", r"\p{Ll}\p{Lo}", r"\p{Lu}\p{Lo}"
_PUNCT = r"… …… , : ; \! \? ¿ ؟ ¡ \( \) \[ \] \{ \} < > _ # \* & 。 ？ ！ ， 、 ； ： ～ · । ، ۔ ؛ ٪".split()
_ELLIPSES = [r"\.\.+", "…"]
_QUOTES = r"\' \" ” “ ` ‘ ´ ’ ‚ , „ » « 「 」 『 』 （ ） 〔 〕 【 】 《 》 〈 〉 〈 〉 ⟦ ⟧".split()
_CURRENCY = [r"\$", "£", "€", "¥", "฿", r"US\$", r"C\$", r"A\$", "₽", "﷼", "₴"] + [
    chr(c) for c in range(0x20A0, 0x20C0)
]
_NEWER_SYMBOLS = (
    r"\u166D\u2427-\u2429\u2B96\u2B97\u2BC9\u2BFF\u2E50\u2E51\u2FFC-\u2FFF"
    r"\u31E4-\u31EF\u32FF\uFBC3-\uFDCF\uFDFE\uFDFF\U0001019C\U00010ED1-\U00010ED8"
    r"\U00011FD5-\U00011FF1\U0001CC00-\U0001CFC3\U0001D1E9-\U0001D1FF\U0001D253-\U0001D27F\U0001E14F\U0001ED2E"
    r"\U0001F10D-\U0001F10F\U0001F16C-\U0001F16F\U0001F1AD\U0001F1AE\U0001F6D5-\U0001F6DF\U0001F6FA-\U0001F6FC"
    r"\U0001F774-\U0001F77F\U0001F7D9-\U0001F7FF\U0001F8B0-\U0001F8C1\U0001F90C-\U0001F90F\U0001F93F"
    r"\U0001F971\U0001F972\U0001F977-\U0001F979\U0001F97B\U0001F9A3-\U0001F9AF\U0001F9BA-\U0001F9BF"
    r"\U0001F9C3-\U0001F9CF\U0001FA00-\U0001FA57\U0001FA70-\U0001FBFA"
)
_ICONS = [rf"(?![{_NEWER_SYMBOLS}])\p{{So}}"]
_UNITS = (
    "km|km²|km³|m|m²|m³|dm|dm²|dm³|cm|cm²|cm³|mm|mm²|mm³|ha|µm|nm|yd|in|ft|kg|g|mg|µg|t|lb|oz|m/s|km/h|"
    "kmh|mph|hPa|Pa|mbar|mb|MB|kb|KB|gb|GB|tb|TB|T|G|M|K|%|км|км²|км³|м|м²|м³|дм|дм²|дм³|см|см²|см³|мм|"
    "мм²|мм³|нм|кг|г|мг|м/с|км/ч|кПа|Па|мбар|Кб|КБ|кб|Мб|МБ|мб|Гб|ГБ|гб|Тб|ТБ|тбكم|كم²|كم³|م|م²|م³|سم|"
    "سم²|سم³|مم|مم²|مم³|كم|غرام|جرام|جم|كغ|ملغ|كوب|اكواب"
)
_HYPHENS = "-|–|—|--|---|——|~"
_QUOTE_CHARS = "".join(_QUOTES)
_PUNCT_ALT = "|".join(_PUNCT)

PREFIXES = ["§", "%", "=", "—", "–", r"\+(?![0-9])", *_PUNCT, *_ELLIPSES, *_QUOTES, *_CURRENCY, *_ICONS]
SUFFIXES = [
    *_PUNCT,
    *_ELLIPSES,
    *_QUOTES,
    *_ICONS,
    *("'s", "'S", "’s", "’S", "—", "–"),
    r"(?<=[0-9])\+",
    r"(?<=°[FfCcKk])\.",
    rf"(?<=[0-9])(?:{'|'.join(_CURRENCY)})",
    rf"(?<=[0-9])(?:{_UNITS})",
    # spaCy puts the punctuation alternation (with its "|") and "(?:" inside this class; kept as it is
    rf"(?<=[0-9{LOWER}%²\-\+{_PUNCT_ALT}(?:{_QUOTE_CHARS})])\.",
    rf"(?<=[{UPPER}][{UPPER}])\.",
]
INFIXES = [
    *_ELLIPSES,
    *_ICONS,
    r"(?<=[0-9])[+\-\*^](?=[0-9-])",
    rf"(?<=[{LOWER}{_QUOTE_CHARS}])\.(?=[{UPPER}{_QUOTE_CHARS}])",
    rf"(?<=[{ALPHA}]),(?=[{ALPHA}])",
    rf"(?<=[{ALPHA}0-9])(?:{_HYPHENS})(?=[{ALPHA}])",
    rf"(?<=[{ALPHA}0-9])[:<>=/](?=[{ALPHA}])",
]
# a URL or e-mail address stays one token (spaCy's URL_MATCH, after Diego Perini's URL pattern, MIT)
URL = (
    r"^(?:(?:[\w\+\-\.]{2,})://)?(?:\S+(?::\S*)?@)?(?:"
    r"(?!(?:10|127)(?:\.\d{1,3}){3})(?!(?:169\.254|192\.168)(?:\.\d{1,3}){2})"
    r"(?!172\.(?:1[6-9]|2\d|3[0-1])(?:\.\d{1,3}){2})"
    r"(?:[1-9]\d?|1\d\d|2[01]\d|22[0-3])(?:\.(?:1?\d{1,2}|2[0-4]\d|25[0-5])){2}"
    r"(?:\.(?:[1-9]\d?|1\d\d|2[0-4]\d|25[0-4]))"
    r"|(?:(?:[A-Za-z0-9\u00a1-\uffff][A-Za-z0-9\u00a1-\uffff_-]{0,62})?[A-Za-z0-9\u00a1-\uffff]\.)+"
    rf"(?:[{LOWER}]{{2,63}}))(?::\d{{2,5}})?(?:[/?#]\S*)?$"
)

prefix_search = regex.compile("|".join("^" + p for p in PREFIXES)).search
suffix_search = regex.compile("|".join(p + "$" for p in SUFFIXES)).search
infix_finditer = regex.compile("|".join(INFIXES)).finditer
url_match = regex.compile(URL).match
