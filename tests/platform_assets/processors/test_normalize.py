"""Normalization: NFC, mojibake repair, line breaks, control characters, whitespace; code indentation kept."""

import pyarrow as pa

from platform_assets.processors.normalize import is_empty, normalize_texts


def norm(*texts):
    return normalize_texts(pa.array(list(texts))).to_pylist()


def test_nfc_composes_accents():
    assert norm("Cafe\u0301 de\u0301ja\u0300") == ["Café déjà"]


def test_mojibake_is_repaired_and_clean_text_untouched():
    assert norm("The Mona Lisa doesnâ€™t have eyebrows.", "cafÃ© dÃ©jÃ  vu", "naïve “quoted”") == [
        "The Mona Lisa doesn’t have eyebrows.",
        "café déjà vu",
        "naïve “quoted”",
    ]


def test_line_breaks_controls_and_whitespace():
    text = "  Title\r\n\r\n\r\n\r\nBody\u00a0text\u200b here.  \t\nNext\x00\x07 line\u2028end\ufeff  "
    assert norm(text) == ["Title\n\nBody text here.\nNext line\nend"]


def test_code_indentation_and_inner_spaces_survive():
    code = "def f(x):\n    if x:\n\treturn  x   # two spaces\n"
    assert norm(code) == [code.rstrip()]


def test_nulls_and_blank_become_empty():
    out = normalize_texts(pa.array([None, " \n\t ", "x"]))
    assert out.to_pylist() == ["", "", "x"]
    assert is_empty(out).tolist() == [True, True, False]
