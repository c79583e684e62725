"""perturb_v1 + verifier_v1: wrong answers really fail, right ones really pass, unverifiable rows say why."""

import random

import pyarrow as pa

from platform_assets.cli.demo_data.exercises import exercise
from platform_assets.cli.demo_data.rng import FastRandom
from platform_assets.processors.synthetics import registry, tasks
from platform_assets.processors.synthetics.perturb import code_mutants, perturb_math
from platform_assets.processors.synthetics.samples import TASK_SCHEMA
from platform_assets.processors.synthetics.verifier import arithmetic_errors

MATH = ("Problem: A shop sells 12 mugs a day. How many in 7 days?\n\nSolution:\nMugs: 12 × 7 = 84.\n\n"
        "Answer: 84")
CODE = ('# Exercise: write count_big to count values above 3.\ndef count_big(values):\n'
        '    """Count values above 3."""\n    total = 0\n    for x in values:\n        if x > 3:\n'
        '            total += 1\n    return total\n\n\n# Tests\nassert count_big([]) == 0\n'
        'assert count_big([3]) == 0\nassert count_big([3, 4, 9]) == 2\n')
DIALOG = ("User: How do I repot a fern?\n\nAssistant: Water it first. Then move it to a bigger pot.\n\n"
          "User: Thanks! Which soil?\n\nAssistant: Use a peat-free mix that drains well.")


def _tasks(*docs: tuple[str, str, str]) -> pa.Table:
    rows = []
    for doc_id, text, domain in docs:
        t = tasks.parse(text, domain)
        assert t.task, t.reason
        rows.append({"doc_id": doc_id, "task": t.task, "prompt": t.prompt, "reference": t.reference,
                     "key": t.key})
    return pa.Table.from_pylist(rows, TASK_SCHEMA)


def test_seed_parsing_and_reasons():
    math = tasks.parse(MATH, "math")
    assert (math.task, math.key) == ("math", "84") and math.prompt.startswith("Problem:")
    code = tasks.parse(CODE, "code")
    assert code.prompt.endswith('"""Count values above 3."""') and code.reference.startswith("def count_big")
    assert "assert count_big([3]) == 0" in code.key
    dialog = tasks.parse(DIALOG, "dialog")
    assert dialog.reference == "Use a peat-free mix that drains well."
    assert dialog.prompt.endswith("Which soil?")
    assert tasks.parse("def f():\n    return 1\n", "code").reason == "code_without_tests"
    assert tasks.parse("Problem: what is 2+2?", "math").reason == "math_without_answer_line"
    assert tasks.parse("just prose", None).reason == "seed_not_a_task"


def test_math_perturbation_changes_the_final_answer_and_the_verifier_sees_it():
    assert not arithmetic_errors("Share: 461 ÷ 17 = 27 remainder 2.\nCost: 1,677 × 7 = 11,739.")
    assert arithmetic_errors("Share: 461 ÷ 17 = 27 remainder 3.") == ["461 ÷ 17 = 27 remainder 3"]
    wrong, what = perturb_math(tasks.parse(MATH, "math").reference, "84", random.Random(1))
    assert "operator ×" in what and tasks.parse_number(wrong) == 19.0  # 12 + 7
    assert "Mugs: 12 × 7 = 19." in wrong
    judge = registry.build("verifier_v1")
    base = {"task": "math", "prompt": "p", "key": "84", "error": None}
    verdicts = judge.verify([{**base, "response": "Answer: 84"}, {**base, "response": wrong},
                             {**base, "response": "I think it is large."}])
    assert [v[0] for v in verdicts] == [True, False, False]
    assert verdicts[1][2] == "answer 19 != key 84; arithmetic error in '12 × 7 = 19'"
    assert verdicts[2][2] == "no final answer"


def test_code_mutant_fails_its_tests_in_the_sandbox_and_the_reference_passes():
    t = tasks.parse(CODE, "code")
    mutants = code_mutants(t.reference, random.Random(0))
    assert {what.split(" at ")[0] for _, what in mutants} >= {"'>' -> '>='", "'+=' -> '-='", "'3' -> '4'"}
    judge = registry.build("verifier_v1", {"cpu_s": 1})
    base = {"task": "code", "prompt": t.prompt, "key": t.key, "error": None}
    boundary = next(m for m, what in mutants if what.startswith("'>' -> '>='"))
    verdicts = judge.verify([{**base, "response": t.reference}, {**base, "response": boundary},
                             {**base, "response": "def count_big(values):\n    while True:\n        pass\n"}])
    assert verdicts[0] == (True, 1.0, "tests passed")
    assert not verdicts[1][0] and "AssertionError" in verdicts[1][2]
    assert not verdicts[2][0] and verdicts[2][2].startswith("tests cpu_limit")


def test_perturb_then_verify_makes_one_verified_pair_per_task():
    rng = FastRandom(5)
    docs = [("m", MATH, "math"), ("c", CODE, "code"), ("d", DIALOG, "dialog")]
    docs += [(f"x{i}", exercise(rng)[0], "code") for i in range(6)]
    samples = registry.build("perturb_v1").generate(_tasks(*docs), 2, {}, seed=3).to_pylist()
    assert [s["sample_index"] for s in samples[:2]] == [0, 1] and len(samples) == 2 * len(docs)
    judged = registry.build("verifier_v1", {"cpu_s": 1}).judge(samples, "best_vs_worst")
    assert [c["reason"] for c in judged.candidates] == [None] * len(docs)
    for c in judged.candidates:
        chosen, rejected = samples[c["chosen_index"]], samples[c["rejected_index"]]
        assert chosen["sample_index"] == 0 and rejected["perturbation"] and c["margin"] > 0
        assert chosen["response"] != rejected["response"]


def test_unverifiable_rows_are_rejected_with_a_reason():
    wrong_key = MATH.replace("= 84", "= 85").replace("Answer: 84", "Answer: 85")  # 12 × 7 is not 85
    untestable = CODE.replace("assert count_big([3]) == 0\nassert count_big([3, 4, 9]) == 2\n", "") \
        .replace("assert count_big([]) == 0", "assert count_big([]) == 0 or True")
    samples = registry.build("perturb_v1").generate(
        _tasks(("w", wrong_key, "math"), ("u", untestable, "code")), 2, {}, seed=1).to_pylist()
    judged = registry.build("verifier_v1", {"cpu_s": 1}).judge(samples, "best_vs_worst")
    reasons = {c["doc_id"]: c["reason"] for c in judged.candidates}
    assert reasons["u"] == "no_failing_mutant"
    assert reasons["w"] == "chosen_unverified"
    assert "arithmetic error in '12 × 7 = 85'" in judged.candidates[0]["detail"]
    assert all(c["chosen_index"] is None for c in judged.candidates)


def test_mutation_and_verification_on_real_installed_code():
    """Real code we did not write (the stdlib's colorsys): tests from running it; the source passes them,
    and one-token mutants of it are caught by those tests in the sandbox."""
    import colorsys
    import inspect

    source = inspect.getsource(colorsys)
    grid = [(r / 4, g / 4, b / 4) for r in range(5) for g in range(5) for b in range(5)]
    functions = ("rgb_to_hsv", "hsv_to_rgb", "rgb_to_hls", "hls_to_rgb", "rgb_to_yiq", "yiq_to_rgb")

    def expected(fn: str, args: tuple) -> list[float]:
        return [round(x, 9) for x in getattr(colorsys, fn)(*args)]

    tests = "\n".join(f"assert [round(x, 9) for x in {fn}{args!r}] == {expected(fn, args)!r}"
                      for fn in functions for args in grid[::3])
    mutants = [m for m, _ in code_mutants(source, random.Random(4))][:8]
    judge = registry.build("verifier_v1", {"cpu_s": 2})
    base = {"task": "code", "prompt": "colorsys", "key": tests, "error": None}
    verdicts = judge.verify([{**base, "response": source}] + [{**base, "response": m} for m in mutants])
    assert verdicts[0][0], verdicts[0][2]
    caught = [not v[0] for v in verdicts[1:]]
    assert sum(caught) >= 6, [v[2] for v in verdicts[1:]]  # 7 of these 8 on CPython 3.11
