"""Function counts and complexity from tree-sitter, exact on known sources in every supported language."""

from __future__ import annotations

import ast
from pathlib import Path

import pyarrow as pa
import pytest

from platform_assets.processors.classifiers.code_language import detect_languages
from platform_assets.processors.classifiers.code_parsing import GRAMMARS, code_stats

SOURCES = {  # language: (source, functions, complexity = 1 + decision points)
    "python": (
        "def f(x):\n    if x and x > 1:\n        return [y for y in range(x) if y]\n    return lambda z: z\n"
        "class A:\n    def g(self):\n        try:\n            pass\n        except ValueError:\n"
        "            pass\n",
        2,  # f and g: a lambda is an expression, as in `ast` (no FunctionDef)
        6,
    ),
    "javascript": (
        "function a(x){ if (x && y || z) return 1; }\nconst b = (x) => x ? 1 : 2;\n"
        "class C { m() { for (;;) {} } }\nswitch (x) { case 1: break; default: }",
        3,
        7,
    ),
    "java": (
        "class A { A() {} int f(int x) { if (x > 0 && x < 5) return 1; switch (x) { case 1: return 2; "
        "default: return 3; } } Runnable r = () -> {}; }",
        3,
        4,
    ),
    "go": (
        "package main\nfunc f(x int) int { if x > 0 || x < -1 { return 1 }; for i := 0; i < 3; i++ {}; "
        "g := func() {}; g(); return 0 }\nfunc (s *S) m() {}\n",
        3,
        4,
    ),
    "rust": (
        "fn f(x: i32) -> i32 { if x > 0 && x < 3 { 1 } else { match x { 0 => 0, _ => 2 } } }\n"
        "fn g() { let c = |y: i32| y + 1; loop { break; } }\n",
        3,
        6,
    ),
    "c": (
        "#include <stdio.h>\nint f(int x) { if (x) return 1; switch (x) { case 1: break; default: break; } "
        "return x > 0 ? 1 : 0; }\nint main(void) { while (1 || 0) {} return 0; }\n",
        2,
        6,
    ),
    "cpp": (
        "#include <vector>\nint f(int x) { auto l = [](int y) { return y; }; "
        "for (auto v : std::vector<int>{1}) {} try {} catch (...) {} return 0; }\n",
        2,
        3,
    ),
}


@pytest.mark.parametrize("language", sorted(SOURCES))
def test_counts_are_exact(language):
    source, functions, complexity = SOURCES[language]
    stats = code_stats(source, language)
    assert (stats.function_count, stats.complexity, stats.parse_error) == (functions, complexity, False)


def test_every_grammar_is_covered_and_loads_offline():
    assert set(SOURCES) == set(GRAMMARS)


def _ast_functions(source: str) -> int:
    kinds = (ast.FunctionDef, ast.AsyncFunctionDef)
    return sum(isinstance(node, kinds) for node in ast.walk(ast.parse(source)))


# the package's own sources, found from this file (not from the working directory pytest was started in)
CLASSIFIER_SOURCES = sorted(
    (Path(__file__).resolve().parents[4] / "platform_assets" / "processors" / "classifiers").glob("*.py")
)


def test_the_real_files_are_found():
    # an empty parameter list would only skip the test below; this one fails instead
    assert len(CLASSIFIER_SOURCES) >= 10 and any(p.name == "code_parsing.py" for p in CLASSIFIER_SOURCES)


@pytest.mark.parametrize("path", CLASSIFIER_SOURCES, ids=lambda p: p.name)
def test_python_function_count_matches_the_ast_module_on_real_files(path):
    source = path.read_text()
    assert code_stats(source, "python").function_count == _ast_functions(source)


@pytest.mark.slow
def test_function_counts_agree_with_ast_on_real_python_files_of_the_installed_packages():
    """Through the classifier stack (domain label, language vote, parse) on text alone, as crawled."""
    from bench.function_counts import agreement

    figures = agreement(limit=600)
    assert figures["files"] >= 500
    assert figures["agreement"] >= 0.98, figures["disagreements"][:10]


def test_language_detection_and_unknown_language():
    texts = [SOURCES[lang][0] for lang in ("python", "javascript", "java", "go", "rust", "c")] + [
        "no code here"
    ]
    assert detect_languages(pa.array(texts)) == ["python", "javascript", "java", "go", "rust", "c", None]
    assert code_stats("x", "cobol") is None
