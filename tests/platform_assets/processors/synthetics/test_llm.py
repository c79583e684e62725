"""llm_v1 and llm_judge_v1 against a real OpenAI-compatible server on 127.0.0.1 (tests/resources/fake_llm)."""

import json

import pyarrow as pa

from platform_assets.processors.synthetics import registry
from platform_assets.processors.synthetics.samples import TASK_SCHEMA
from resources.llm import ChatCompletionsClient
from resources.llm_cache import ResponseCache
from tests.resources.fake_llm import serve

SAMPLING = {"temperature": 0.8, "top_p": 0.95, "max_tokens": 64, "seed": 100}


def _math_answer(body: dict) -> str:
    """Even seeds answer right (84), odd seeds wrong; a judge prompt prefers the answer holding 84."""
    user = body["messages"][-1]["content"]
    if "[Answer A]" in user:
        a, b = user.split("[Answer A]\n")[1].split("\n\n[Answer B]\n")
        b = b.split("\n\nWhich answer")[0]
        if "biased" in a + b:
            return "A"  # always the first position: flips when the answers swap
        return "A" if "Answer: 84" in a else ("B" if "Answer: 84" in b else "tie")
    value = 84 if body["seed"] % 2 == 0 else 80 + body["seed"] % 7
    return f"Attempt {body['seed']}.\nMugs: 12 × 7 = {value}.\nAnswer: {value}"


def _client(url: str, tmp_path, **kw) -> ChatCompletionsClient:
    return ChatCompletionsClient(url, "tiny-llm", cache=ResponseCache(str(tmp_path / "cache.lance")),
                                 backoff_initial_s=0.01, backoff_max_s=0.05, **kw)


def _tasks(*prompts: str) -> pa.Table:
    return pa.Table.from_pylist([{"doc_id": f"d{i}", "task": "math", "prompt": p, "reference": None,
                                  "key": "84"} for i, p in enumerate(prompts)], TASK_SCHEMA)


def test_n_distinct_samples_with_their_sampling_then_a_rerun_is_all_cache(tmp_path):
    tasks = _tasks("How many mugs in 7 days at 12 a day?", "Twelve mugs a day for a week: how many?")
    with serve(_math_answer) as (url, handler):
        client = _client(url, tmp_path)
        samples = registry.build("llm_v1", client=client).generate(tasks, 4, SAMPLING, seed=1).to_pylist()
        assert len(handler.bodies) == 8 and client.usage.requests == 8
        assert sorted(b["seed"] for b in handler.bodies) == [100, 100, 101, 101, 102, 102, 103, 103]
        assert {(b["temperature"], b["top_p"], b["max_tokens"]) for b in handler.bodies} == {(0.8, 0.95, 64)}
        first = [s for s in samples if s["doc_id"] == "d0"]
        assert [s["sample_index"] for s in first] == [0, 1, 2, 3]
        assert len({s["response"] for s in first}) == 4  # N samples, not one answer N times
        assert json.loads(first[3]["sampling"]) == {**SAMPLING, "seed": 103}
        assert first[0]["model"] == "tiny-llm" and first[0]["template_hash"]
        again = _client(url, tmp_path)
        rerun = registry.build("llm_v1", client=again).generate(tasks, 4, SAMPLING, seed=1).to_pylist()
        assert len(handler.bodies) == 8 and again.usage.requests == 0 and again.usage.cache_hits == 8
        assert [s["response"] for s in rerun] == [s["response"] for s in samples]
        hotter = _client(url, tmp_path)
        registry.build("llm_v1", client=hotter).generate(tasks, 4, {**SAMPLING, "temperature": 1.0}, seed=1)
        assert hotter.usage.requests == 8  # another temperature is another cache key


def test_429_500_timeout_and_malformed_bodies_are_survived(tmp_path):
    tasks = _tasks("RATE2-a mugs?", "FAIL503-b mugs?", "SLOW-c mugs?", "MALFORMED-d mugs?", "plain mugs?",
                   "ALWAYS500-e mugs?")
    with serve(_math_answer) as (url, handler):
        client = _client(url, tmp_path, timeout_s=0.5)
        gen = registry.build("llm_v1", client=client)
        samples = gen.generate(tasks, 2, {**SAMPLING, "seed": 2}, seed=1).to_pylist()
    errors = {s["doc_id"]: s["error"] for s in samples}
    assert [errors[d] for d in ("d0", "d1", "d2", "d4")] == [None] * 4
    assert errors["d3"] == "malformed_response" and errors["d5"] == "http_500"
    assert client.usage.retries >= 3 and "malformed_response" in client.usage.errors
    judged = registry.build("verifier_v1").judge(samples, "best_vs_worst")
    reasons = {c["doc_id"]: c["reason"] for c in judged.candidates}
    assert reasons["d3"] == reasons["d5"] == "generation_failed"
    assert reasons["d4"] is None  # seed 2 answers right, seed 3 wrong: a verified pair


def test_pairwise_judge_keeps_only_verdicts_that_survive_the_swap(tmp_path):
    rows = []
    for doc, answers in (("fair", ["Answer: 84", "Answer: 81, roughly so"]),
                         ("bias", ["Answer: 84 biased", "Answer: 80"]),
                         ("same", ["Answer: 70", "Answer: 71"])):
        rows += [{"doc_id": doc, "task": "math", "prompt": f"{doc} mugs?", "key": "84", "sample_index": i,
                  "response": a, "error": None} for i, a in enumerate(answers)]
    with serve(_math_answer) as (url, handler):
        judged = registry.build("llm_judge_v1", client=_client(url, tmp_path)).judge(rows, "best_vs_worst")
        assert len(handler.bodies) == 6  # every pair in both orders
    by_doc = {c["doc_id"]: c for c in judged.candidates}
    fair = by_doc["fair"]
    assert fair["reason"] is None and rows[fair["chosen_index"]]["response"] == "Answer: 84"
    assert (fair["verdict_ab"], fair["verdict_ba"]) == ("A", "B") and fair["judge_model"] == "tiny-llm"
    assert by_doc["bias"]["reason"] == "position_flip" and by_doc["bias"]["chosen_index"] is None
    assert (by_doc["bias"]["verdict_ab"], by_doc["bias"]["verdict_ba"]) == ("A", "A")
    assert by_doc["same"]["reason"] == "tie"
    assert judged.stats == {"judge/judged": 3, "judge/flips": 1, "judge/decisive": 1, "judge/longer_wins": 0}
