"""`{{ ref('asset') }}` templating: the only way a query names its inputs, and so the graph's edges."""

from __future__ import annotations

import re

REF = re.compile(r"\{\{\s*ref\(\s*['\"]([A-Za-z0-9_./-]+)['\"]\s*\)\s*\}\}")
_TEMPLATE = re.compile(r"\{\{|\{%")


class SqlRefError(ValueError):
    """A query's templating is not `{{ ref('asset') }}`, or a ref names no dataset."""


def refs(sql: str) -> list[str]:
    """Asset names referenced by `{{ ref('...') }}`, in first-appearance order (the query's graph edges)."""
    return list(dict.fromkeys(REF.findall(sql)))


def placeholder(name: str) -> str:
    return "__ref__" + re.sub(r"\W", "__", name)


def render(sql: str, table_for=placeholder) -> str:
    """Replaces every ref with `table_for(name)`; any other `{{ }}` / `{% %}` templating is an error."""
    out = REF.sub(lambda m: table_for(m.group(1)), sql)
    if _TEMPLATE.search(out):
        line = out[: _TEMPLATE.search(out).start()].count("\n") + 1
        raise SqlRefError(f"line {line}: only {{{{ ref('asset') }}}} templating is allowed")
    return out
