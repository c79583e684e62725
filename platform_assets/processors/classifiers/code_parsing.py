"""Function count and cyclomatic complexity of source code, from a real tree-sitter parse per language.

Grammars come from the per-language wheels (`tree-sitter-python`, ...), which ship their parsers; nothing is
downloaded. Counting runs as compiled tree-sitter queries (C), not a Python walk over the nodes.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache

import tree_sitter as ts

GRAMMARS = {
    "python": "tree_sitter_python",
    "javascript": "tree_sitter_javascript",
    "java": "tree_sitter_java",
    "go": "tree_sitter_go",
    "rust": "tree_sitter_rust",
    "c": "tree_sitter_c",
    "cpp": "tree_sitter_cpp",
}
_LOGICAL = '(binary_expression operator: ["&&" "||"]) @d'
# What counts as a function (named definitions, methods, constructors and anonymous functions) ...
FUNCTIONS = {
    "python": "(function_definition) @f",
    "javascript": "[(function_declaration) (function_expression) (arrow_function) (method_definition) "
    "(generator_function_declaration) (generator_function)] @f",
    "java": "[(method_declaration) (constructor_declaration) (compact_constructor_declaration) "
    "(lambda_expression)] @f",
    "go": "[(function_declaration) (method_declaration) (func_literal)] @f",
    "rust": "[(function_item) (closure_expression)] @f",
    "c": "(function_definition) @f",
    "cpp": "[(function_definition) (lambda_expression)] @f",
}
# ... and as a decision point (McCabe): branches, loops, handlers, cases, ternaries, && and ||.
DECISIONS = {
    "python": "[(if_statement) (elif_clause) (for_statement) (while_statement) (except_clause) "
    "(conditional_expression) (boolean_operator) (for_in_clause) (if_clause) (case_clause)] @d",
    "javascript": "[(if_statement) (for_statement) (for_in_statement) (while_statement) (do_statement) "
    "(catch_clause) (ternary_expression) (switch_case)] @d " + _LOGICAL,
    "java": "[(if_statement) (for_statement) (enhanced_for_statement) (while_statement) (do_statement) "
    '(catch_clause) (ternary_expression)] @d (switch_label "case") @d ' + _LOGICAL,
    "go": "[(if_statement) (for_statement) (expression_case) (type_case) (communication_case)] @d "
    + _LOGICAL,
    "rust": "[(if_expression) (for_expression) (while_expression) (loop_expression) (match_arm)] @d "
    + _LOGICAL,
    "c": "[(if_statement) (for_statement) (while_statement) (do_statement) (conditional_expression)] @d "
    "(case_statement value: (_)) @d " + _LOGICAL,
    "cpp": "[(if_statement) (for_statement) (for_range_loop) (while_statement) (do_statement) (catch_clause) "
    "(conditional_expression)] @d (case_statement value: (_)) @d " + _LOGICAL,
}


@dataclass(frozen=True)
class CodeStats:
    language: str
    function_count: int
    complexity: int  # 1 + decision points, for the whole text
    parse_error: bool


@cache
def _tools(language: str) -> tuple[ts.Parser, ts.Query]:
    """The parser and one query capturing functions as @f and decisions as @d (one tree traversal)."""
    lang = ts.Language(importlib.import_module(GRAMMARS[language]).language())
    return ts.Parser(lang), ts.Query(lang, FUNCTIONS[language] + "\n" + DECISIONS[language])


def parser_for(language: str) -> ts.Parser:
    """The (cached) tree-sitter parser of `language`, one of GRAMMARS."""
    return _tools(language)[0]


def code_stats(source: str, language: str) -> CodeStats | None:
    """Stats of `source` parsed as `language`; None when no grammar is installed for it."""
    if language not in GRAMMARS:
        return None
    parser, query = _tools(language)
    root = parser.parse(source.encode("utf-8")).root_node
    found = ts.QueryCursor(query).captures(root)
    return CodeStats(language, len(found.get("f", ())), 1 + len(found.get("d", ())), root.has_error)
