"""Evidence that a document is source code, read before word statistics: its path, its shebang, its parse.

- path: the document's `url` or `meta` (the JSON text of the record's meta) names a file or URL with a
  source-code extension (`.py`, `.js`, `.java`, `.go`, `.c`, `.h`, `.rs`, ...);
- shebang: the text starts with `#!` and an interpreter path;
- parse: the text parses in its language's tree-sitter grammar with at most `MAX_ERRORS_PER_LINE` error
  or missing nodes per line (over the first `PARSE_BYTES`, cut at a line end; at least `MIN_LINES`
  non-blank lines). The language is the telltale-syntax vote of `code_language`, Python when nothing
  votes. Prose does not parse: on the README and METADATA pages of the installed packages the rate is
  above 0.13 per line, while real source files sit at 0 (median).
Data-table modules, generated tables and docstring-heavy files carry few code-like lines, so word
statistics alone call them prose or other; they still parse, and their file names end in `.py`.
"""

from __future__ import annotations

import re
from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import tree_sitter as ts

from platform_assets.processors.classifiers.code_language import detect_languages
from platform_assets.processors.classifiers.code_parsing import GRAMMARS, parser_for

EXTENSIONS = {
    "py": "python", "pyi": "python", "pyw": "python", "js": "javascript", "mjs": "javascript",
    "cjs": "javascript", "jsx": "javascript", "java": "java", "go": "go", "rs": "rust", "c": "c",
    "h": "c", "cc": "cpp", "cpp": "cpp", "cxx": "cpp", "hpp": "cpp", "hh": "cpp",
}  # fmt: skip
_OTHER_CODE = ("ts", "tsx", "rb", "php", "cs", "kt", "scala", "swift", "sh", "bash", "pl", "lua", "r", "m")
_PATH = r"(?i)[\w/-]\.(?:" + "|".join([*EXTENSIONS, *_OTHER_CODE]) + r")(?:[\"?#\s]|$)"
_SHEBANG = r"^#![ \t]*/[\w/.-]*(?:[ \t]+[\w.-]+)?"
PARSE_BYTES = 8_192
PROBE_BYTES = 1_024
_DECLARATION = re.compile(  # a line that opens a declaration: cutting before it ends no string or block
    rb"\n(?=[ \t]*(?:async def |def |class |@\w|func |fn |pub |impl |struct |typedef |static |public |"
    rb"private |protected |function |export |#include|#define|}\n))"
)
# C and C++ annotate declarations with project macros no grammar knows (`ARROW_EXPORT`,
# `PyAPI_FUNC(int)`, `NPY_INLINE`): a line that is only an upper-case macro (its arguments included), and a
# `<PREFIX>_EXPORT` style token, are blanked before those grammars parse. Each cost one error per
# declaration: real library headers sat at 0.07-0.17 errors per line, over MAX_ERRORS_PER_LINE; 25 of the
# 32 headers the text alone missed in `bench.domain_detection` parse once blanked (C++ tried after C).
_ANNOTATION = re.compile(
    rb"(?m)^[ \t]*[A-Z][A-Z0-9_]{2,}(?:\([^()\n]*\))?[ \t]*$"
    rb"|\b[A-Z][A-Za-z0-9]*_(?:EXPORT|API|EXTERN|INLINE|DEPRECATED|NOEXCEPT|FORCE_INLINE|FUNC|DATA)\w*"
    rb"(?:\([^()\n]*\))?"
)
_ANNOTATED = ("c", "cpp")
MIN_LINES = 3
MAX_ERRORS_PER_LINE = 0.05
NOT_CODE_ERRORS_PER_LINE = 0.3  # at or over this in every candidate grammar, "code-like" text is prose


def path_is_code(locators: pa.Array) -> np.ndarray:
    """Per row: the url/meta text names a source file (nulls are False)."""
    found = pc.match_substring_regex(pc.fill_null(locators, ""), _PATH)
    return found.to_numpy(zero_copy_only=False).astype(bool)


def path_languages(locators: pa.Array) -> list[str | None]:
    """Per row: the grammar language of the first source extension named, if it has a grammar."""
    pattern = r"(?i)[\w/-]\.(?P<ext>" + "|".join(EXTENSIONS) + r")(?:[\"?#\s]|$)"
    found = pc.extract_regex(pc.fill_null(locators, ""), pattern)
    exts = pc.struct_field(found, [0]).to_pylist()
    return [EXTENSIONS.get(ext.lower()) if ext else None for ext in exts]


def has_shebang(texts: pa.Array) -> np.ndarray:
    """Per row: the text starts with an interpreter line (`#!/usr/bin/env python`)."""
    return pc.match_substring_regex(texts, _SHEBANG).to_numpy(zero_copy_only=False).astype(bool)


def parse_error_rates(texts: pa.Array, full: bool = True) -> np.ndarray:
    """Per row: the error rate of its `best_grammar`; NaN for texts under MIN_LINES lines."""
    langs = detect_languages(texts)
    pairs = zip(texts.to_pylist(), langs, strict=True)
    return np.array([best_grammar(text, lang, full)[1] for text, lang in pairs])


def best_grammar(text: str, vote: str | None, full: bool = True) -> tuple[str, float]:
    """The grammar the text parses best in and its error rate: the syntax vote's language, then Python and
    C, then C++ (a file of constants or `#define`s has no telltale syntax; a C++ header's `.h` and its
    `#include` often vote C), stopping at the first under
    MAX_ERRORS_PER_LINE. Each is probed on PROBE_BYTES first: prose fails there at a fraction of the cost;
    only a probe under NOT_CODE_ERRORS_PER_LINE is parsed to PARSE_BYTES, and not at all when `full` is
    false (enough to tell that text is not code). The rate is NaN for texts under MIN_LINES lines."""
    best = (vote or "python", np.inf)
    for candidate in dict.fromkeys([vote or "python", "python", "c", "cpp"]):
        rate = error_rate(text, candidate, PROBE_BYTES)
        if rate is None or full and rate < NOT_CODE_ERRORS_PER_LINE:
            rate = error_rate(text, candidate)
        if rate is None:
            return best[0], np.nan
        best = min(best, (candidate, rate), key=lambda pair: pair[1])
        if rate <= MAX_ERRORS_PER_LINE or not full and rate < NOT_CODE_ERRORS_PER_LINE:
            break
    return best


def error_rate(text: str, language: str, limit: int = PARSE_BYTES) -> float | None:
    """Error and missing nodes per non-blank line of the text's first `limit` bytes (see `_head`; C and
    C++ with their declaration macros blanked, `_ANNOTATION`); None under MIN_LINES lines."""
    data = _head(text.encode("utf-8"), limit)
    if language in _ANNOTATED:
        data = _ANNOTATION.sub(b"", data)
    lines = sum(1 for line in data.splitlines() if line.strip())
    if lines < MIN_LINES or language not in GRAMMARS:
        return None
    root = parser_for(language).parse(data).root_node
    if not root.has_error:
        return 0.0
    return len(ts.QueryCursor(_errors(language)).captures(root).get("e", ())) / lines


def _head(data: bytes, limit: int) -> bytes:
    """The first `limit` bytes, cut before the last declaration that starts in them, else at a line end; a
    triple-quoted string or block comment the cut leaves open is closed."""
    if len(data) <= limit:
        return data
    starts = [m.start() for m in _DECLARATION.finditer(data, 0, limit)]
    end = starts[-1] + 1 if starts and starts[-1] > limit // 4 else data.rfind(b"\n", 0, limit) + 1
    head = data[:end]
    for quote in (b'"""', b"'''"):
        if head.count(quote) % 2:
            head += quote + b"\n"
    if head.rfind(b"/*") > head.rfind(b"*/"):
        head += b"*/\n"
    return head


@cache
def _errors(language: str) -> ts.Query:
    return ts.Query(parser_for(language).language, "[(ERROR) (MISSING)] @e")
