"""`perturb_v1`: rule-based rejected answers that are verifiably worse; no model, works offline.

Per task, sample 0 is the seed's own answer (the reference) and sample 1 a perturbation of it:
  math    the last worked equation is recomputed with a swapped operator (or its result shifted), and the
          final answer line follows it, so the final number no longer matches the key;
  code    one operator or boundary in the function is flipped (`<` → `<=`, `+` → `-`, `n` → `n + 1`, ...);
          mutants are tried in a seeded order until one makes the tests fail in the sandbox;
  dialog  the reply is cut mid-sentence (truncated; `dialog: truncate`, the default), or swapped for the
          least related reply of up to 16 other seeds in the batch (off-topic; `dialog: off_topic`, or
          `mixed` for either by a seeded coin). An off-topic reply is only verifiably worse when the judge's
          lexical relevance separates it (verifier `min_relevance`); on prose that shares its vocabulary
          across topics it does not, and the judge rejects the candidate with `no_failing_sample`.
A task with no usable perturbation gets sample 1 with `error` set (the judge rejects it with that reason).
The judge (`verifier_v1`) checks both sides independently; nothing here is trusted.
"""

from __future__ import annotations

import io
import random
import tokenize
from typing import Literal

import pyarrow as pa
from pydantic import BaseModel, ConfigDict

from platform_assets.processors import sandbox
from platform_assets.processors.synthetics import tasks as task_parsing
from platform_assets.processors.synthetics.registry import REGISTRY, Step
from platform_assets.processors.synthetics.samples import SAMPLE_SCHEMA, row_seed, sampling_json
from platform_assets.processors.synthetics.verifier import EQUATION, OPS, code_program, number, relevance

_SWAP = {"+": "-", "-": "+", "−": "+", "×": "+", "x": "+", "*": "+", "/": "×", "÷": "×"}
_MUTATE = {"<": "<=", "<=": "<", ">": ">=", ">=": ">", "==": "!=", "!=": "==", "+": "-", "-": "+",
           "+=": "-=", "-=": "+=", "*": "+", "//": "*", "and": "or", "or": "and"}
MAX_MUTANTS = 4


def _fmt(x: float) -> str:
    return f"{x:g}" if abs(x) < 1e15 else str(int(x))


def perturb_math(reference: str, key: str, rng: random.Random) -> tuple[str | None, str]:
    """(wrong solution, what changed), or (None, reason)."""
    eqs = list(EQUATION.finditer(reference))
    answer = list(task_parsing._ANSWER.finditer(reference))
    if not answer:
        return None, "no_answer_line"
    key_value = float(key)
    wrong = None
    if eqs:
        m = eqs[-1]
        a, op, b = number(m.group(1)), m.group(2), number(m.group(3))
        new_op = _SWAP[op]
        wrong = OPS[new_op](a, b)
        if m.group(5) is not None:  # `a ÷ b = q remainder r`: the quotient is the answer
            new_op, wrong = "+", a + b
        what = f"operator {op} -> {new_op} in '{m.group(0).lstrip(': ')}'"
        if abs(wrong - key_value) < 1e-9:
            wrong = None
    if wrong is None:
        wrong = key_value + rng.choice((-10, -2, -1, 1, 2, 10))
        what = f"final result shifted to {_fmt(wrong)}"
    text = reference
    if eqs:
        m = eqs[-1]
        text = text[: m.start(4)] + _fmt(wrong) + text[m.end(4):]
    last = list(task_parsing._ANSWER.finditer(text))[-1]
    text = text[: last.start(1)] + _fmt(wrong) + text[last.end(1):]
    return text, what


def code_mutants(source: str, rng: random.Random) -> list[tuple[str, str]]:
    """Every one-token mutant of `source` below its docstring (operators and integer boundaries), seeded
    order: (mutant source, what changed)."""
    lines = source.splitlines(keepends=True)
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        return []
    doc_end = next((t.end[0] for t in tokens if t.type == tokenize.STRING), 0)
    out = []
    for t in tokens:
        if t.start[0] <= doc_end:
            continue
        if t.type in (tokenize.OP, tokenize.NAME) and t.string in _MUTATE:
            new = _MUTATE[t.string]
        elif t.type == tokenize.NUMBER and t.string.isdigit():
            new = str(int(t.string) + 1)
        else:
            continue
        row, col = t.start[0] - 1, t.start[1]
        line = lines[row]
        mutated = lines[:row] + [line[:col] + new + line[col + len(t.string):]] + lines[row + 1:]
        out.append(("".join(mutated), f"'{t.string}' -> '{new}' at line {row + 1}"))
    rng.shuffle(out)
    return out


OFF_TOPIC_POOL = 16


def perturb_dialog(i: int, prompts: list[str], replies: list[str], rng: random.Random,
                   mode: str = "truncate") -> tuple[str, str]:
    pool = [j for j in range(len(replies)) if j != i and replies[j] and replies[j] != replies[i]]
    others = rng.sample(pool, min(OFF_TOPIC_POOL, len(pool)))
    if others and (mode == "off_topic" or (mode == "mixed" and rng.random() < 0.5)):
        j = min(others, key=lambda j: (relevance(prompts[i], replies[j]), j))
        return replies[j], "off_topic: the reply of another prompt"
    words = replies[i].split()
    cut = max(1, int(len(words) * rng.uniform(0.3, 0.6)))
    return " ".join(words[:cut]).rstrip(".!?,;:"), f"truncated after {cut} of {len(words)} words"


class PerturbParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dialog: Literal["truncate", "off_topic", "mixed"] = "truncate"


@REGISTRY.register("perturb_v1")
class Perturb(Step):
    """Rows: two samples per task, the reference (0) and its perturbation (1)."""

    kind = "generator"
    Params = PerturbParams

    def generate(self, tasks: pa.Table, samples: int, sampling: dict, seed: int,
                 limits: sandbox.Limits | None = None) -> pa.Table:
        rows = tasks.to_pylist()
        rngs = [random.Random(row_seed(seed, r["doc_id"])) for r in rows]
        wrong: list[tuple[str | None, str]] = [(None, "not_perturbed")] * len(rows)
        prompts, replies = [r["prompt"] for r in rows], [r["reference"] if r["task"] == "dialog" else ""
                                                          for r in rows]
        for i, r in enumerate(rows):
            if r["task"] == "math":
                wrong[i] = perturb_math(r["reference"], r["key"], rngs[i])
            elif r["task"] == "dialog":
                wrong[i] = perturb_dialog(i, prompts, replies, rngs[i], self.params.dialog)
        code = [i for i, r in enumerate(rows) if r["task"] == "code"]
        for i, found in zip(code, self._failing_mutants([rows[i] for i in code], [rngs[i] for i in code],
                                                        limits or sandbox.Limits()), strict=True):
            wrong[i] = found
        params = sampling_json({"rule": self.name})
        out = []
        for r, (text, what) in zip(rows, wrong, strict=True):
            base = {"doc_id": r["doc_id"], "task": r["task"], "prompt": r["prompt"], "key": r["key"],
                    "generator": self.name, "model": None, "template_hash": None, "sampling": params,
                    "seed": seed, "finish_reason": None}
            out.append({**base, "sample_index": 0, "response": r["reference"], "error": None,
                        "perturbation": None})
            out.append({**base, "sample_index": 1, "response": text, "error": None if text else what,
                        "perturbation": what if text else None})
        return pa.Table.from_pylist(out, SAMPLE_SCHEMA)

    def _failing_mutants(self, rows: list[dict], rngs: list[random.Random],
                         limits: sandbox.Limits) -> list[tuple[str | None, str]]:
        """Per code task, the first mutant (in seeded order) whose tests fail, tried in rounds so every
        round's programs run in the sandbox concurrently."""
        pending = {i: code_mutants(r["reference"], rngs[i]) for i, r in enumerate(rows)}
        found: dict[int, tuple[str | None, str]] = {i: (None, "no_mutant") for i in pending}
        for round_ in range(MAX_MUTANTS):
            todo = [i for i, m in pending.items() if len(m) > round_]
            outcomes = sandbox.run_many([code_program(pending[i][round_][0], rows[i]["key"]) for i in todo],
                                        limits)
            for i, outcome in zip(todo, outcomes, strict=True):
                if not outcome.passed:
                    found[i] = pending.pop(i)[round_]
                else:
                    found[i] = (None, "no_failing_mutant")
        return [found[i] for i in range(len(rows))]
