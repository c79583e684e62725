"""The built-in domain detector."""

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
