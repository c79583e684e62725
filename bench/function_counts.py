"""`difficulty_code_v1__function_count` against Python's own `ast` on the real Python files of the
installed packages.

The rule for Python is `ast`'s: every `def` and `async def`, functions and methods at any depth; a lambda
is an expression and is not counted. Each file goes through the classifier stack as a crawled document
would (text only: `domain_v1` labels it, the language is voted and parsed), so a file the domain detector
does not call code, or that is counted in the wrong grammar, is a disagreement. Files `ast` cannot parse
(Python 2, templates) are left out. Writes `$MASLOW_HOME/bench/function_counts.json`.
"""

from __future__ import annotations

import argparse
import ast
import warnings

import pyarrow as pa

from bench import site_packages
from bench.common import write_result
from platform_assets.processors.classifiers import stack

_STACK = ("domain_v1", "difficulty_code_v1")


def ast_functions(source: str) -> int | None:
    """FunctionDef + AsyncFunctionDef nodes at any depth; None when `ast` cannot parse the source."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    return sum(isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) for node in ast.walk(tree))


def agreement(limit: int | None = None, batch_rows: int = 256) -> dict:
    """Files compared, the share whose count equals `ast`'s, and the disagreements (path, ours, ast's)."""
    paths = [p for p in site_packages.code_files() if p.suffix == ".py"]
    paths = paths[:: max(1, len(paths) // limit)] if limit else paths
    rows = [(p, t, n) for p, t in site_packages.texts(paths) if (n := ast_functions(t)) is not None]
    classifiers = stack.build_stack(_STACK)
    counts: list[int | None] = []
    for start in range(0, len(rows), batch_rows):
        chunk = rows[start : start + batch_rows]
        batch = pa.record_batch({"doc_id": [str(p) for p, _, _ in chunk], "text": [t for _, t, _ in chunk]})
        counts += (
            stack.classify_batch(batch, classifiers).column("difficulty_code_v1__function_count").to_pylist()
        )
    wrong = [
        (str(p.relative_to(site_packages.root())), ours, n)
        for (p, _, n), ours in zip(rows, counts, strict=True)
        if ours != n
    ]
    return {
        "files": len(rows),
        "agreement": round(1 - len(wrong) / max(len(rows), 1), 4),
        "disagreements": wrong,
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench function_counts")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    figures = agreement(300 if args.quick else None)
    print(f"{figures['files']} real Python files; function counts equal to ast's: {figures['agreement']:.2%}")
    for path, ours, theirs in figures["disagreements"][:20]:
        print(f"  {path}: ours {ours}, ast {theirs}")
    write_result("function_counts", figures)
    return 0 if figures["agreement"] >= 0.98 else 1
