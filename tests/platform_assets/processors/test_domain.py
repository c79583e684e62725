"""The built-in domain detector."""

import numpy as np
import pyarrow as pa
import pytest

from platform_assets.processors import code_evidence
from platform_assets.processors.domain import detect_domains
from platform_assets.processors.features import TextBatch
from platform_assets.processors.filters._samples import CODE, DIALOG, MATH, PROSE, PROSE_LINES

JS = "function add(a, b) {\n  const s = a + b;\n  return s;\n}\n\nmodule.exports = { add };\n"
TABLE = "\n".join(f"{i} | {i * 3} | {i * 7}" for i in range(30))


def test_each_domain():
    texts = [PROSE, PROSE_LINES, CODE, JS, MATH, DIALOG, TABLE]
    assert detect_domains(TextBatch.from_texts(texts)).tolist() == [
        "prose",
        "prose",
        "code",
        "code",
        "math",
        "dialog",
        "other",
    ]


def test_prose_with_a_colon_line_is_not_dialog():
    text = "Note: the museum is closed on Mondays.\n" + PROSE
    assert detect_domains(TextBatch.from_texts([text])).tolist() == ["prose"]


# A data-table module and a docstring-heavy one: few lines that only code writes, so word statistics alone
# call them prose or other; they parse cleanly in Python.
DATA_TABLE = (
    "CODES = {\n" + "".join(f"    'name_{i}': ({i}, 0x{i:04x}, 'label {i}'),\n" for i in range(40)) + "}\n"
)
DOCSTRINGS = (
    '"""Helpers for the catalogue.\n\n'
    + "The catalogue is the list of the works we hold, and each entry names the author, the title and\n" * 12
    + '"""\n\n\ndef first(entries):\n'
    + '    """The first entry of the catalogue, which is the one the readers see on\n'
    '    the opening page of the printed edition and in the window of the shop."""\n    return entries[0]\n'
)
README = (
    "# Using the client\n\nThe client talks to the server for you, and it retries when the network is slow.\n"
    "Install it with pip, then create one client per process and share it between the threads.\n\n"
    "```js\nconst client = new Client({ retries: 3 });\nawait client.get('/items');\n```\n\n"
    "If the server is down, the call raises after the last retry; catch it where you can recover.\n"
    "```js\ntry { await client.get('/items'); } catch (err) { console.log(err); }\n```\n"
)


def test_source_files_reach_code_from_their_parse_path_or_shebang():
    texts = [
        DATA_TABLE,
        DOCSTRINGS,
        "#!/usr/bin/env python3\nprint('the rest is one long sentence of words')\n",
    ]
    assert detect_domains(TextBatch.from_texts(texts)).tolist() == ["code", "code", "code"]
    prose = [PROSE, PROSE]
    urls = pa.array(["https://example.org/src/app/main.rs", "https://example.org/blog/post.html"])
    assert detect_domains(TextBatch.from_texts(prose), urls).tolist() == ["code", "prose"]


def test_a_readme_of_code_samples_and_prose_is_not_code():
    assert detect_domains(TextBatch.from_texts([README])).tolist() != ["code"]


def test_parse_error_rates_tell_code_from_prose():
    page = "\n\n".join([PROSE] * 3)
    rates = code_evidence.parse_error_rates(pa.array([DATA_TABLE, DOCSTRINGS, page, README, "x = 1"]))
    assert rates[0] == rates[1] == 0.0
    assert rates[2] >= code_evidence.NOT_CODE_ERRORS_PER_LINE and rates[3] > code_evidence.MAX_ERRORS_PER_LINE
    assert np.isnan(rates[4])  # under MIN_LINES lines: no judgement


HEADER = """// Licensed to the project under one or more agreements. You may not use this file except in
// compliance with the license, which you can read in the file named LICENSE next to this one.

#pragma once

#include <string>
#include <string_view>

namespace mylib {
namespace text {

/// \\brief Encode the bytes of a string as base64.
MYLIB_EXPORT
std::string encode(std::string_view s);

/// \\brief Decode base64 text; an error for text that is not base64.
MYLIB_EXPORT
Result<std::string> decode(std::string_view s);

MYLIB_DEPRECATED("use encode") MYLIB_EXPORT std::string old_encode(const char* s);

}  // namespace text
}  // namespace mylib
"""


def test_a_cpp_header_with_export_macros_parses_as_code():
    # a prose-heavy head (license, doc comments) and a macro before every declaration
    assert code_evidence.error_rate(HEADER, "c") > code_evidence.MAX_ERRORS_PER_LINE
    assert code_evidence.error_rate(HEADER, "cpp") == 0.0  # the macros are blanked for C and C++
    assert code_evidence.best_grammar(HEADER, "c") == ("cpp", 0.0)
    assert detect_domains(TextBatch.from_texts([HEADER])).tolist() == ["code"]


def test_a_long_file_cut_inside_a_docstring_still_parses():
    body = "def f():\n    '''" + "a long explanation of what f does\n" * 400 + "    '''\n    return 1\n"
    assert len(body) > code_evidence.PARSE_BYTES
    assert code_evidence.error_rate(body, "python") == 0.0


@pytest.mark.slow
def test_real_source_files_reach_code_and_real_prose_pages_do_not():
    """Third-party files of the installed packages, landed as text with no domain (bench/domain_detection)."""
    from bench.domain_detection import figures

    result = figures(code_limit=800)["text_only"]
    assert result["code_share"] >= 0.98, result["code_missed"][:20]
    assert result["prose_called_code"] <= 0.02, result["prose_as_code"]
