"""`maslow validate [PATH...]`: every spec parsed and validated in seconds, one line per problem.

The definitions are loaded (each spec-built asset reads its files through `spec_isolation`, which keeps every
file's result), then each SQL query (analytics models, mixture components) is checked: every `ref()` names
an existing asset, the SQL parses, and it binds in DuckDB against the real schemas of the refs that are
materialized in the lake (empty tables of those schemas: nothing is read), returning the columns its spec
needs. Lines are `file:line: field: message`, the line being the file's (not the compiled query's).
"""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path

from resources import sql_diagnostics as diagnostics
from resources import sql_refs


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                        help="spec files or folders to report on (default: every spec under MASLOW_SPECS)")


def run(args: argparse.Namespace) -> int:
    problems, checked = validate(args.paths)
    for line in problems:
        print(line)
    files = len({p.split(":", 1)[0] for p in problems})
    print(f"{len(problems)} problem(s) in {files} of {checked} spec file(s)" if problems
          else f"{checked} spec file(s) valid")
    return 1 if problems else 0


def validate(paths: list[Path] | None = None) -> tuple[list[str], int]:
    """(problem lines, number of spec files checked) for the spec files under `paths` (default all)."""
    from platform_assets import spec_isolation

    spec_isolation.log.setLevel(logging.ERROR)  # the load's warnings would repeat the lines printed here
    from platform_assets.definitions import build_defs
    from resources import build_resources

    known = asset_names(build_defs().resolve_asset_graph())
    engine = build_resources()["sql_engine"]
    wanted = [p.resolve() for p in paths or []]
    problems, checked = [], 0
    for path, loaded in sorted(spec_isolation.LOADED.items()):
        if wanted and not any(path.resolve() == w or w in path.resolve().parents for w in wanted):
            continue
        checked += 1
        problems += [_relative(line) for line in loaded.problems]
        if loaded.ok:
            problems += [_relative(line) for line in sql_problems(path, loaded.value, known, engine)]
    missing = [w for w in wanted if not w.exists()]
    problems += [f"{_relative(str(w))}: (file): no such file" for w in missing]
    return problems, checked


def asset_names(graph) -> set[str]:
    """The assets a ref() may name: the defined ones (an unknown ref's dep is only an external stub)."""
    return {k.to_user_string() for k in graph.materializable_asset_keys}


def sql_problems(path: Path, spec, known: set[str], engine) -> list[str]:
    """`file:line: field: message` for each SQL block of a loaded spec that has any."""
    from platform_assets.mixtures import spec as mixture_specs

    if isinstance(spec, mixture_specs.MixtureSpec):
        blocks = mixture_specs.sql_blocks(spec, path)
    elif hasattr(spec, "sql_blocks"):
        blocks = spec.sql_blocks()
    else:
        return []
    out = []
    for field, sql, first_line, required in blocks:
        unknown = diagnostics.unknown_refs(sql, known)
        out += [f"{path}:{diagnostics.file_line(first_line, p)}: {field}: {p.message}" for p in unknown]
        if unknown:
            continue
        schemas = {r: s for r in dict.fromkeys(sql_refs.refs(sql)) if (s := engine.schema(r))}
        columns, problem = diagnostics.bind(sql, schemas)
        if problem is not None:
            out.append(f"{path}:{diagnostics.file_line(first_line, problem)}: {field}: {problem.message}")
        elif columns and (absent := [c for c in required if c not in columns]):
            out.append(f"{path}:{first_line}: {field}: the query must return {', '.join(absent)}; "
                       f"it returns {', '.join(columns)}")
    return out


def _relative(line: str) -> str:
    """A problem line with its path relative to the working directory when it is below it."""
    cwd = os.getcwd().rstrip("/") + "/"
    return line[len(cwd):] if line.startswith(cwd) else line
