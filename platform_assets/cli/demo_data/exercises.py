"""Training-side Python exercises with tests: an instruction, a reference function and its asserts.

Written for the synthetics demo (`perturb_v1` mutates the function until a test fails). Never drawn from
the eval sets: the families, names and wording are our own, and every expected value in a test is computed
by running the reference function here, so the tests always pass on it. Each test list includes the
boundary cases (equal to a threshold, empty input, window of the full length) that an operator or boundary
mutation breaks.
"""

from __future__ import annotations

from collections.abc import Callable

from platform_assets.cli.demo_data import words as w
from platform_assets.cli.demo_data.rng import FastRandom

Family = Callable[[FastRandom, str, str], tuple[str, str, list[tuple]]]  # instruction, body, test args
NOUNS = tuple(n for n in w.GENERAL_NOUNS if n.isalpha() and len(n) > 3)


def _count_above(rng: FastRandom, fn: str, arg: str) -> tuple[str, str, list[tuple]]:
    t = rng.randint(2, 40)
    body = (f"    total = 0\n    for x in {arg}:\n        if x > {t}:\n            total += 1\n"
            "    return total")
    cases = [([],), ([t],), ([t - 1, t, t + 1],), ([t + 5, t + 9, 1],)]
    return f"count how many numbers in {arg} are strictly greater than {t}", body, cases


def _capped_sum(rng: FastRandom, fn: str, arg: str) -> tuple[str, str, list[tuple]]:
    cap = rng.randint(10, 90)
    body = (f"    total = 0\n    for x in {arg}:\n        total += x\n        if total >= {cap}:\n"
            f"            return {cap}\n    return total")
    cases = [([],), ([cap],), ([cap - 1],), ([1, 2, 3],), ([cap // 2, cap // 2 + 1],)]
    return f"add up {arg} but never return more than {cap}", body, cases


def _window_sums(rng: FastRandom, fn: str, arg: str) -> tuple[str, str, list[tuple]]:
    k = rng.randint(2, 4)
    body = (f"    out = []\n    for i in range(len({arg}) - {k} + 1):\n"
            f"        out.append(sum({arg}[i:i + {k}]))\n    return out")
    cases = [(list(range(1, k + 3)),), (list(range(k)),), ([5] * (k - 1),), ([3, -1, 4, 1, 5, 9][: k + 2],)]
    return f"return the sums of every run of {k} consecutive numbers in {arg}", body, cases


def _first_index(rng: FastRandom, fn: str, arg: str) -> tuple[str, str, list[tuple]]:
    target = rng.randint(1, 9)
    body = (f"    for i in range(len({arg})):\n        if {arg}[i] == {target}:\n            return i\n"
            "    return -1")
    cases = [([],), ([target],), ([0, target, target],), ([target + 1, target - 1],)]
    return f"return the position of the first {target} in {arg}, or -1 when there is none", body, cases


def _scaled_range(rng: FastRandom, fn: str, arg: str) -> tuple[str, str, list[tuple]]:
    step = rng.randint(2, 7)
    body = f"    return [i * {step} for i in range({arg} + 1)]"
    cases = [(0,), (1,), (rng.randint(3, 6),)]
    return f"list the multiples of {step} from 0 up to {arg} times {step}, both ends included", body, cases


def _clamp(rng: FastRandom, fn: str, arg: str) -> tuple[str, str, list[tuple]]:
    lo, hi = rng.randint(0, 20), rng.randint(30, 80)
    body = (f"    if {arg} < {lo}:\n        return {lo}\n    if {arg} > {hi}:\n        return {hi}\n"
            f"    return {arg}")
    cases = [(lo - 1,), (lo,), (hi,), (hi + 1,), ((lo + hi) // 2,)]
    return f"clamp {arg} to the range {lo} to {hi}", body, cases


FAMILIES: tuple[Family, ...] = (_count_above, _capped_sum, _window_sums, _first_index, _scaled_range, _clamp)
VERBS = ("compute", "measure", "tally", "score", "summarize", "rate", "check", "count")


def exercise(rng: FastRandom) -> tuple[str, dict]:
    """(text, meta): `# Exercise:` line, the reference function, `# Tests` and its asserts."""
    family = rng.choice(FAMILIES)
    fn = f"{rng.choice(VERBS)}_{rng.choice(NOUNS)}_{rng.choice(NOUNS)}"
    arg = rng.choice(("values", "numbers", "readings", "scores", "amounts", "counts"))
    if family in (_scaled_range, _clamp):
        arg = rng.choice(("n", "level", "amount", "steps"))
    instruction, body, cases = family(rng, fn, arg)
    source = f'def {fn}({arg}):\n    """{instruction[0].upper()}{instruction[1:]}."""\n{body}\n'
    scope: dict = {}
    exec(source, scope)  # our own reference code: the expected values come from running it
    tests = [f"assert {fn}({', '.join(map(repr, args))}) == {scope[fn](*args)!r}" for args in cases]
    text = f"# Exercise: write {fn} to {instruction}.\n{source}\n\n# Tests\n" + "\n".join(tests) + "\n"
    return text, {"family": family.__name__.lstrip("_"), "function": fn, "tests": len(tests)}
