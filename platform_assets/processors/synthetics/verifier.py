"""`verifier_v1`: a judge that checks each answer against the task's key, no model involved.

  math    the final answer line is parsed; verified when it equals the key (relative tolerance 1e-9) and
          every worked step of the form `label: a op b = c` is arithmetically right (to rounding);
  code    solution + tests run in the sandbox (CPU, memory and wall limits, no network); verified on exit 0;
  dialog  verified when the reply is complete (ends a sentence) and, when `min_relevance` > 0, on topic (at
          least that share of the prompt's content words, by 5-letter stem, occur in it).
Score: 1 verified, 0 not (dialog adds its relevance). Pairs: a verified answer (chosen) against an
unverified one (rejected); `margin` is the score difference.
"""

from __future__ import annotations

import regex
from pydantic import BaseModel, ConfigDict, Field

from platform_assets.processors import sandbox
from platform_assets.processors.synthetics.pairing import Judged, pair_by_score
from platform_assets.processors.synthetics.registry import REGISTRY, Step
from platform_assets.processors.synthetics.tasks import parse_number

_WORD = regex.compile(r"[a-z]{4,}")
_STOP = frozenset("about after again also because been before being could does doing each every from have "
                  "here into just like make more most much only other over same should some such than that "
                  "their them then there these they this those through very want what when where which "
                  "while will with would your thanks".split())
_COMPLETE = regex.compile(r"[.!?][\"')\]]*\s*$")
_NUM = r"(-?\d[\d,]*(?:\.\d+)?)"
# a whole worked step after a label (`Cost: 370 × 26 = 9620`); `15/100 = 0.15` inside a longer chain is not
EQUATION = regex.compile(r"(?:^|:\s)" + _NUM + r"\s*([+\-−×x*/÷])\s*" + _NUM + r"\s*=\s*" + _NUM
                         + r"(?:\s+remainder\s+(\d+))?", regex.M)
OPS = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "−": lambda a, b: a - b, "×": lambda a, b: a * b,
       "x": lambda a, b: a * b, "*": lambda a, b: a * b, "/": lambda a, b: a / b if b else None,
       "÷": lambda a, b: a / b if b else None}


def number(text: str) -> float:
    return float(text.replace(",", ""))


def arithmetic_errors(text: str) -> list[str]:
    """The worked steps whose stated result is not what the operation gives (allowing for rounding)."""
    bad = []
    for m in EQUATION.finditer(text or ""):
        a, b, stated = number(m.group(1)), number(m.group(3)), number(m.group(4))
        if m.group(5) is not None:  # integer division: a = b × quotient + remainder, remainder < b
            rem = number(m.group(5))
            if m.group(2) not in "/÷" or b * stated + rem != a or not 0 <= rem < b:
                bad.append(m.group(0).lstrip(": \n"))
            continue
        got = OPS[m.group(2)](a, b)
        if got is None or abs(got - stated) > max(0.01, 1e-3 * abs(got)):
            bad.append(m.group(0).lstrip(": \n"))
    return bad


def code_program(solution: str, tests: str) -> str:
    return f"{solution}\n\n\n{tests}\n"


def _stems(text: str) -> set[str]:
    return {w[:5] for w in _WORD.findall((text or "").lower()) if w not in _STOP}


def relevance(prompt: str, reply: str) -> float:
    """Share of the prompt's content-word stems that occur in the reply (0 when the prompt has none)."""
    wanted = _stems(prompt)
    return len(wanted & _stems(reply)) / len(wanted) if wanted else 0.0


class VerifierParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    min_relevance: float = Field(default=0.0, ge=0, le=1)
    cpu_s: int = Field(default=2, gt=0, le=60)
    memory_mb: int = Field(default=256, ge=64, le=8192)
    wall_s: float = Field(default=5.0, gt=0, le=120)


@REGISTRY.register("verifier_v1")
class Verifier(Step):
    """Per sample: verified (bool), score and a verdict string; then score-based pairing."""

    kind = "judge"
    Params = VerifierParams

    @property
    def limits(self) -> sandbox.Limits:
        p = self.params
        return sandbox.Limits(cpu_s=p.cpu_s, memory_mb=p.memory_mb, wall_s=p.wall_s)

    def verify(self, samples: list[dict]) -> list[tuple[bool, float, str]]:
        """(verified, score, verdict) per sample; code runs concurrently in the sandbox."""
        out: list[tuple[bool, float, str] | None] = [None] * len(samples)
        code = [i for i, s in enumerate(samples) if s["task"] == "code" and s["response"]]
        outcomes = sandbox.run_many([code_program(samples[i]["response"], samples[i]["key"]) for i in code],
                                    self.limits)
        for i, o in zip(code, outcomes, strict=True):
            last = o.stderr.strip().splitlines()[-1:] or [""]
            why = "tests passed" if o.passed else f"tests {o.status}: {last[0]}"
            out[i] = (o.passed, float(o.passed), why)
        for i, s in enumerate(samples):
            if out[i] is None:
                out[i] = self._one(s)
        return out  # type: ignore[return-value]

    def _one(self, s: dict) -> tuple[bool, float, str]:
        if not s["response"]:
            return False, 0.0, "no answer"
        if s["task"] == "math":
            got, key = parse_number(s["response"]), float(s["key"])
            if got is None:
                return False, 0.0, "no final answer"
            ok = abs(got - key) <= 1e-9 * max(1.0, abs(key))
            verdict = f"answer {got:g} {'==' if ok else '!='} key {key:g}"
            wrong_steps = arithmetic_errors(s["response"])
            if wrong_steps:
                return False, 0.0, f"{verdict}; arithmetic error in '{wrong_steps[0]}'"
            return ok, float(ok), verdict
        if s["task"] == "dialog":
            rel = relevance(s["prompt"], s["response"])
            complete = bool(_COMPLETE.search(s["response"]))
            ok = complete and (rel >= self.params.min_relevance if self.params.min_relevance else True)
            why = "" if ok else (" (truncated)" if not complete else " (off topic)")
            return ok, float(ok) + rel, f"complete={complete} relevance={rel:.2f}{why}"
        return False, 0.0, f"no verifier for task {s['task']!r}"

    def judge(self, samples: list[dict], pairing: str) -> Judged:
        """Candidates for every prompt in `samples` (grouped by doc_id, in order)."""
        verdicts = self.verify(samples)
        return pair_by_score(samples, verdicts, pairing, self.name)
