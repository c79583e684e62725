"""Seed documents → tasks: a prompt, the seed's own answer and what verifies an answer.

One row in, one task out: `task` is math | code | dialog, or null with `reason` when the seed cannot be read
as a task (that seed becomes a rejected candidate, never a silent loss).
  math    a question, worked steps and a final line `Answer: 1575` (also `Final answer:`, `Result:`, `The
          answer is`); the key is that number.
  code    a Python exercise: an instruction comment, a function (the reference solution) and, after a
          `# Tests` line, assert statements; the prompt is the instruction and the function's signature and
          docstring, the key is the tests.
  dialog  `User:` / `Assistant:` turns; the prompt is every turn before the last assistant reply (kept as
          `User:` / `Assistant:` text; `chat_turns` splits it into messages), the reference that reply.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

import regex

_ANSWER = regex.compile(r"^\s*(?:final answer|answer|result|the answer is)\s*[:.]?\s*\$?(-?[\d,]*\.?\d+)",
                        regex.I | regex.M)
_SOLUTION = regex.compile(r"^\s*(?:solution|worked answer|steps|answer)\s*[:.]?\s*$", regex.I | regex.M)
_TESTS = regex.compile(r"^# Tests\s*$", regex.M)
_TURN = regex.compile(r"^(User|Assistant):\s*", regex.M)


@dataclass(frozen=True)
class Task:
    task: str | None
    prompt: str | None = None
    reference: str | None = None
    key: str | None = None
    reason: str | None = None


def parse_number(text: str) -> float | None:
    """The final answer of a solution: the number on its last answer line (None when there is none)."""
    found = _ANSWER.findall(text or "")
    if not found:
        return None
    try:
        return float(found[-1].replace(",", ""))
    except ValueError:
        return None


def _math(text: str) -> Task:
    key = parse_number(text)
    if key is None:
        return Task(None, reason="math_without_answer_line")
    head = _SOLUTION.search(text)
    if head is None:
        return Task(None, reason="math_without_solution_header")
    prompt, reference = text[: head.start()].strip(), text[head.start():].strip()
    if not prompt:
        return Task(None, reason="math_without_question")
    return Task("math", prompt, reference, f"{key:g}")


def _code(text: str) -> Task:
    parts = _TESTS.split(text, maxsplit=1)
    if len(parts) != 2 or "assert" not in parts[1]:
        return Task(None, reason="code_without_tests")
    source, tests = parts[0].strip(), parts[1].strip()
    try:
        tree = ast.parse(source)
        ast.parse(tests)
    except SyntaxError:
        return Task(None, reason="code_syntax_error")
    funcs = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    if len(funcs) != 1:
        return Task(None, reason="code_not_one_function")
    fn, lines = funcs[0], source.splitlines()
    doc = fn.body[0] if fn.body and isinstance(fn.body[0], ast.Expr) else None
    if doc is None or not isinstance(getattr(doc, "value", None), ast.Constant) or len(fn.body) < 2:
        return Task(None, reason="code_without_docstring")
    stub = "\n".join(lines[: doc.end_lineno])
    return Task("code", stub, "\n".join(lines[fn.lineno - 1:]), tests)


def chat_turns(text: str) -> list[tuple[str, str]]:
    """(role, content) of each `User:` / `Assistant:` turn, roles lower-cased as chat messages have them."""
    pieces = _TURN.split(text or "")
    return [(pieces[i].lower(), pieces[i + 1].strip()) for i in range(1, len(pieces) - 1, 2)]


def _dialog(text: str) -> Task:
    turns = chat_turns(text)
    if len(turns) < 2 or turns[0][0] != "user" or turns[-1][0] != "assistant":
        return Task(None, reason="dialog_without_user_assistant_turns")
    if any(not content for _, content in turns):
        return Task(None, reason="dialog_empty_turn")
    last = [m.start() for m in _TURN.finditer(text)][-1]
    return Task("dialog", text[:last].strip(), turns[-1][1], None)


def parse(text: str | None, domain: str | None) -> Task:
    """The task of one seed; `domain` (math | code | dialog, e.g. clean_documents.domain) picks the reader,
    else each reader is tried in turn."""
    if not text:
        return Task(None, reason="empty_seed")
    readers = {"math": _math, "code": _code, "dialog": _dialog}
    if domain in readers:
        return readers[domain](text)
    tried = [reader(text) for reader in readers.values()]
    return next((t for t in tried if t.task), Task(None, reason="seed_not_a_task"))
