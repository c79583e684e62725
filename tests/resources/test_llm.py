"""The LLM client against a real local OpenAI-compatible HTTP server: retries, timeouts, cache, parsing."""

from __future__ import annotations

import json
import time
from dataclasses import replace

import dagster as dg
import pytest

from platform_assets import settings
from platform_assets.processors.classifiers.prompts import ChatRequest, load_templates, prompt_columns
from resources.llm import ChatCompletionsClient, LLMResource, llm_resource_from_env
from resources.llm_cache import ResponseCache
from tests.resources.fake_llm import serve


@pytest.fixture
def endpoint():
    with serve() as server:
        yield server


@pytest.fixture
def template():
    return load_templates(settings.SPEC_DIR / "prompts")["llm_edu_v1"]


def _client(url, tmp_path, **kw) -> ChatCompletionsClient:
    params = {
        "api_key": "sekrit",
        "concurrency": 4,
        "timeout_s": 0.5,
        "max_retries": 3,
        "backoff_initial_s": 0.01,
        "backoff_max_s": 0.05,
        "batch_size": 4,
        "cache": ResponseCache(str(tmp_path / "llm_cache.lance")),
        **kw,
    }
    return ChatCompletionsClient(url, "tiny-llm", **params)


TEXTS = [
    "OK-1 photosynthesis",
    "RATE2-1 tides",
    "FAIL503-1 glaciers",
    "ALWAYS500-1 x",
    "BAD400-1 x",
    "SLOW-1 bees",
    "MALFORMED-1 x",
    "BADANSWER-1 x",
    "TRUNC-1 x",
    None,
    "OK-2 not sampled",
]
SELECTED = [True] * 10 + [False]


def test_retries_timeouts_parse_failures_and_cache(endpoint, template, tmp_path):
    url, server = endpoint
    client = _client(url, tmp_path)
    cols = prompt_columns(template, client, TEXTS, SELECTED)
    status = cols["llm_edu_v1__status"].to_pylist()
    error = cols["llm_edu_v1__error"].to_pylist()
    assert status == [
        "ok",
        "ok",
        "ok",
        "request_error",
        "request_error",
        "ok",
        "request_error",
        "parse_error",
        "parse_error",
        "not_sampled",
        "not_sampled",
    ]
    assert error == [
        None,
        None,
        None,
        "http_500",
        "http_400",
        None,
        "malformed_response",
        "not_json",
        "truncated",
        None,
        None,
    ]
    assert cols["score__llm_edu_v1"].to_pylist()[:3] == [3.0, 3.0, 3.0]
    assert cols["llm_edu_v1__reason"].to_pylist()[0] == "Clear explanation."
    assert dict(server.hits) == {
        "OK-1": 1,
        "RATE2-1": 3,
        "FAIL503-1": 2,
        "ALWAYS500-1": 4,
        "BAD400-1": 1,
        "SLOW-1": 2,
        "MALFORMED-1": 1,
        "BADANSWER-1": 1,
        "TRUNC-1": 1,
    }
    assert set(server.headers_seen) == {"Bearer sekrit"}
    assert server.max_in_flight <= 4
    usage = client.usage.as_metadata()
    assert usage["llm/retries"] == 2 + 1 + 3 + 1 and usage["llm/cache_hits"] == 0
    assert json.loads(usage["llm/errors"].replace("'", '"')) == {
        "http_400": 1,
        "http_500": 1,
        "malformed_response": 1,
    }
    assert usage["llm/prompt_tokens"] == 600 and usage["llm/completion_tokens"] == 72
    assert usage["llm/latency_p50_s"] > 0

    # A re-run costs nothing for every answer the endpoint gave (parse failures included, reproduced as
    # such); only request failures are asked again.
    server.hits.clear()
    again = _client(url, tmp_path)
    cols2 = prompt_columns(template, again, TEXTS, SELECTED)
    assert cols2["llm_edu_v1__status"].to_pylist() == status
    assert cols2["llm_edu_v1__error"].to_pylist() == error
    assert cols2["llm_edu_v1__cached"].to_pylist()[:9] == [
        True,
        True,
        True,
        False,
        False,
        True,
        False,
        True,
        True,
    ]
    assert dict(server.hits) == {"ALWAYS500-1": 4, "BAD400-1": 1, "MALFORMED-1": 1}
    assert again.usage.cache_hits == 6


def test_cache_key_includes_model_and_template_version(endpoint, template, tmp_path):
    url, server = endpoint
    prompt_columns(template, _client(url, tmp_path), ["OK-7 text"], [True])
    other = template.model_copy(update={"version": 2})
    assert other.cache_version != template.cache_version
    prompt_columns(other, _client(url, tmp_path), ["OK-7 text"], [True])
    assert server.hits["OK-7"] == 2


def test_raising_max_tokens_asks_again_instead_of_reusing_a_cut_answer(endpoint, template, tmp_path):
    url, server = endpoint
    short = template.model_copy(update={"max_tokens": 4})
    prompt_columns(short, _client(url, tmp_path), ["OK-8 text"], [True])
    assert short.cache_version != template.cache_version  # the asset's code version changes too
    longer = _client(url, tmp_path)
    cols = prompt_columns(template, longer, ["OK-8 text"], [True])
    assert server.hits["OK-8"] == 2 and cols["llm_edu_v1__cached"].to_pylist() == [False]
    # same template version, another limit: the cache key itself holds max_tokens
    request = ChatRequest(template.cache_version, "h", template.messages("OK-9 text"), 16)
    client = _client(url, tmp_path)
    client.complete([request])
    client.complete([replace(request, max_tokens=512)])
    assert server.hits["OK-9"] == 2 and client.usage.cache_hits == 0


def test_duplicate_texts_in_a_batch_are_asked_once(endpoint, template, tmp_path):
    url, server = endpoint
    client = _client(url, tmp_path, batch_size=8)
    texts = ["OK-5 same", "OK-6 other", "OK-5 same", "OK-5 same"]
    cols = prompt_columns(template, client, texts, [True] * 4)
    assert dict(server.hits) == {"OK-5": 1, "OK-6": 1}
    assert cols["llm_edu_v1__status"].to_pylist() == ["ok"] * 4
    assert cols["score__llm_edu_v1"].to_pylist() == [3.0] * 4
    assert client.usage.requests == 2 and client.usage.prompt_tokens == 200
    again = _client(url, tmp_path, batch_size=8)
    assert prompt_columns(template, again, texts, [True] * 4)["llm_edu_v1__cached"].to_pylist() == [True] * 4
    assert again.usage.cache_hits == 4 and dict(server.hits) == {"OK-5": 1, "OK-6": 1}


def test_no_endpoint_means_skipped(template):
    assert LLMResource().get_client() is None
    assert LLMResource(base_url="http://127.0.0.1:9/v1").get_client() is None  # no model named
    cols = prompt_columns(template, None, ["OK-1 a", None], [True, True])
    assert cols["llm_edu_v1__status"].to_pylist() == ["skipped", "skipped"]
    assert cols["score__llm_edu_v1"].null_count == 2


def test_connection_refused_is_a_request_error(template, tmp_path):
    client = _client("http://127.0.0.1:9/v1", tmp_path, max_retries=1)
    cols = prompt_columns(template, client, ["OK-1 a"], [True])
    assert cols["llm_edu_v1__error"].to_pylist() == ["connection_error"]


def test_a_hung_request_stops_at_its_deadline_and_the_run_at_its_own(endpoint, template, tmp_path):
    url, _ = endpoint
    client = _client(url, tmp_path, timeout_s=10.0, max_retries=5, request_deadline_s=0.4)
    start = time.monotonic()
    cols = prompt_columns(template, client, ["HANG-1 x", "OK-1 y"], [True, True])
    assert time.monotonic() - start < 2.5  # not 6 attempts of 10 s
    assert cols["llm_edu_v1__error"].to_pylist() == ["deadline", None]
    run = _client(url, tmp_path, timeout_s=10.0, concurrency=1, batch_size=8, request_deadline_s=0.4,
                  run_deadline_s=1.0)
    start = time.monotonic()
    cols = prompt_columns(template, run, [f"HANG-{i} x" for i in range(2, 10)], [True] * 8)
    assert time.monotonic() - start < 3.0
    errors = cols["llm_edu_v1__error"].to_pylist()
    assert errors[:2] == ["deadline", "deadline"] and set(errors[3:]) == {"run_deadline"}
    assert run.usage.errors["run_deadline"] >= 5


def test_environment_gives_the_endpoint_and_run_config_only_what_it_sets(endpoint, monkeypatch):
    url, _ = endpoint
    monkeypatch.setenv("MASLOW_LLM_URL", url)
    monkeypatch.setenv("MASLOW_LLM_MODEL", "tiny-llm")
    monkeypatch.setenv("MASLOW_LLM_TIMEOUT_S", "7.5")
    monkeypatch.setenv("MASLOW_LLM_MAX_RETRIES", "2")
    seen = {}

    @dg.asset
    def probe(llm: LLMResource) -> None:
        client = llm.get_client()
        seen.update(url=client.base_url, model=client.model, timeout=client.timeout_s,
                    retries=client.max_retries, deadline=client.request_deadline_s)

    run_config = {"resources": {"llm": {"config": {"timeout_s": 3.0, "request_deadline_s": 9.0}}}}
    assert dg.materialize([probe], resources={"llm": llm_resource_from_env()}, run_config=run_config).success
    assert seen == {"url": url, "model": "tiny-llm", "timeout": 3.0, "retries": 2, "deadline": 9.0}
    monkeypatch.setenv("MASLOW_LLM_MAX_RETRIES", "many")
    with pytest.raises(ValueError, match="MASLOW_LLM_MAX_RETRIES"):
        LLMResource().get_client()
    with pytest.raises(ValueError, match="llm.timeout_s"):
        LLMResource(timeout_s=-1.0).get_client()
