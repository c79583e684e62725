"""The `llm` resource: a client for any OpenAI-compatible chat endpoint (vLLM, TGI, OpenAI).

Requests run in batches: one cache lookup per batch, the misses sent concurrently (bounded by
`concurrency`, one request per distinct cache key: duplicate texts in a batch share an answer), one cache
append per batch. 429, 5xx, timeouts and connection errors are retried with
exponential backoff and jitter (honouring `Retry-After`); other 4xx and malformed bodies are not.
Two deadlines bound the wait: `request_deadline_s` for one request with all its retries (error
`deadline`), `run_deadline_s` for every request of the client (later ones are not sent: `run_deadline`).
"""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import time
from dataclasses import dataclass, field

import dagster as dg
import httpx
import pydantic
import tenacity

from platform_assets import settings
from platform_assets.processors.classifiers.prompts import ChatRequest, ChatResult
from resources.llm_cache import ResponseCache, cache_key


@dataclass
class Usage:
    """What the client spent, for asset metadata."""

    requests: int = 0
    cache_hits: int = 0
    retries: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latencies: list[float] = field(default_factory=list)

    def as_metadata(self, prefix: str = "llm/") -> dict[str, float | int | str]:
        lat = sorted(self.latencies)
        p95 = lat[min(len(lat) - 1, int(0.95 * len(lat)))] if lat else 0.0
        return {
            f"{prefix}requests": self.requests,
            f"{prefix}cache_hits": self.cache_hits,
            f"{prefix}retries": self.retries,
            f"{prefix}errors": str(dict(sorted(self.errors.items()))),
            f"{prefix}prompt_tokens": self.prompt_tokens,
            f"{prefix}completion_tokens": self.completion_tokens,
            f"{prefix}latency_p50_s": round(statistics.median(lat), 4) if lat else 0.0,
            f"{prefix}latency_p95_s": round(p95, 4),
        }


@dataclass
class ChatCompletionsClient:
    """Implements `prompts.ChatClient` over HTTP with retries and a Lance response cache."""

    base_url: str
    model: str
    api_key: str = ""
    concurrency: int = 8
    timeout_s: float = 60.0
    max_retries: int = 5
    backoff_initial_s: float = 0.5
    backoff_max_s: float = 20.0
    batch_size: int = 64
    cache: ResponseCache | None = None
    usage: Usage = field(default_factory=Usage)
    request_deadline_s: float = 120.0
    run_deadline_s: float = 3600.0
    started: float = field(default_factory=time.monotonic)

    def _run_left(self) -> float:
        return self.run_deadline_s - (time.monotonic() - self.started)

    def complete(self, requests: list[ChatRequest]) -> list[ChatResult]:
        results: list[ChatResult] = []
        for start in range(0, len(requests), self.batch_size):
            results += self._batch(requests[start : start + self.batch_size])
        return results

    def _batch(self, batch: list[ChatRequest]) -> list[ChatResult]:
        keys = [cache_key(self.model, r.template_version, r.text_hash, r.max_tokens, r.sampling,
                          r.sample_index) for r in batch]
        hits = self.cache.get_many(keys) if self.cache else {}
        first: dict[str, int] = {}  # one request per distinct missing key: duplicates share its answer
        for i, k in enumerate(keys):
            if k not in hits:
                first.setdefault(k, i)
        misses = list(first.values())
        fetched = asyncio.run(self._fetch_all([batch[i] for i in misses])) if misses else []
        answers = dict(zip(first, fetched, strict=True))
        results: list[ChatResult] = []
        for k in keys:
            if k in hits:
                h = hits[k]
                results.append(ChatResult(h["content"], h["finish_reason"], cached=True))
                self.usage.cache_hits += 1
            else:
                results.append(answers[k])
        fresh = []
        for i, res in zip(misses, fetched, strict=True):
            if res.error is None:
                fresh.append(
                    {
                        "key": keys[i],
                        "model": self.model,
                        "template": batch[i].template_version,
                        "text_hash": batch[i].text_hash,
                        "content": res.content,
                        "finish_reason": res.finish_reason,
                        "prompt_tokens": res.prompt_tokens,
                        "completion_tokens": res.completion_tokens,
                        "sampling": batch[i].sampling,
                        "sample_index": batch[i].sample_index,
                    }
                )
        if self.cache:
            self.cache.put_many(fresh)
        return results

    async def _fetch_all(self, batch: list[ChatRequest]) -> list[ChatResult]:
        gate = asyncio.Semaphore(self.concurrency)
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        async with httpx.AsyncClient(
            base_url=self.base_url.rstrip("/"), headers=headers, timeout=self.timeout_s
        ) as http:

            async def one(req: ChatRequest) -> ChatResult:
                async with gate:
                    return await self._fetch(http, req)

            return list(await asyncio.gather(*(one(r) for r in batch)))

    async def _fetch(self, http: httpx.AsyncClient, req: ChatRequest) -> ChatResult:
        """One request with its retries, within the request deadline and what is left of the run's."""
        left = self._run_left()
        error = "run_deadline"
        if left > 0:
            limit = min(self.request_deadline_s, left)
            try:
                return await asyncio.wait_for(self._attempts(http, req), timeout=limit)
            except TimeoutError:
                error = "deadline" if limit == self.request_deadline_s else "run_deadline"
        self.usage.errors[error] = self.usage.errors.get(error, 0) + 1
        return ChatResult(None, error=error)

    async def _attempts(self, http: httpx.AsyncClient, req: ChatRequest) -> ChatResult:
        body = {"model": self.model, "messages": req.messages, "max_tokens": req.max_tokens, "temperature": 0}
        if req.sampling is not None:  # exactly the parameters the cache key holds
            body.update(json.loads(req.sampling))
        retrying = tenacity.AsyncRetrying(
            stop=tenacity.stop_after_attempt(self.max_retries + 1), wait=self._backoff,
            retry=tenacity.retry_if_exception_type(_Retryable), before_sleep=self._count_retry, reraise=True,
        )
        try:
            return await retrying(self._attempt, http, body)
        except _Failed as failed:
            self.usage.errors[failed.error] = self.usage.errors.get(failed.error, 0) + 1
            return ChatResult(None, error=failed.error)

    async def _attempt(self, http: httpx.AsyncClient, body: dict) -> ChatResult:
        """One request: the result, or _Retryable (429, 5xx, timeout, connection) / _Failed (other 4xx)."""
        start = time.perf_counter()
        self.usage.requests += 1
        try:
            resp = await http.post("/chat/completions", json=body)
        except httpx.TimeoutException:
            raise _Retryable("timeout") from None
        except httpx.TransportError:
            raise _Retryable("connection_error") from None
        if resp.status_code == 200:
            return self._result(resp, time.perf_counter() - start)
        if resp.status_code == 429 or resp.status_code >= 500:
            raise _Retryable(f"http_{resp.status_code}", _seconds(resp.headers.get("retry-after")))
        raise _Failed(f"http_{resp.status_code}")

    def _backoff(self, state: tenacity.RetryCallState) -> float:
        """`Retry-After` when the server sent one, else exponential backoff with jitter; both capped."""
        retry_after = getattr(state.outcome.exception(), "retry_after", None)
        if retry_after is not None:
            return min(self.backoff_max_s, retry_after)
        delay = min(self.backoff_max_s, self.backoff_initial_s * 2 ** (state.attempt_number - 1))
        return delay * (0.5 + random.random() / 2)

    def _count_retry(self, _state: tenacity.RetryCallState) -> None:
        self.usage.retries += 1

    def _result(self, resp: httpx.Response, latency: float) -> ChatResult:
        try:
            data = resp.json()
            choice = data["choices"][0]
            content = choice["message"]["content"]
            usage = data.get("usage") or {}
        except (ValueError, KeyError, IndexError, TypeError):
            self.usage.errors["malformed_response"] = self.usage.errors.get("malformed_response", 0) + 1
            return ChatResult(None, error="malformed_response", latency_s=latency)
        self.usage.latencies.append(latency)
        self.usage.prompt_tokens += int(usage.get("prompt_tokens") or 0)
        self.usage.completion_tokens += int(usage.get("completion_tokens") or 0)
        return ChatResult(
            content,
            choice.get("finish_reason"),
            prompt_tokens=int(usage.get("prompt_tokens") or 0),
            completion_tokens=int(usage.get("completion_tokens") or 0),
            latency_s=latency,
        )


class _Failed(Exception):
    """A request that ended without an answer; `error` is the reason recorded in usage."""

    def __init__(self, error: str, retry_after: float | None = None):
        super().__init__(error)
        self.error, self.retry_after = error, retry_after


class _Retryable(_Failed):
    """A failure worth another try (429, 5xx, timeout, connection error)."""


def _seconds(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


class LLMSettings(pydantic.BaseModel):
    """The client's effective settings: run config, else `MASLOW_LLM_*`, else these defaults."""

    model_config = pydantic.ConfigDict(extra="forbid")
    base_url: str = ""
    model: str = ""
    api_key: str = ""
    concurrency: int = pydantic.Field(8, gt=0)
    timeout_s: float = pydantic.Field(60.0, gt=0)
    max_retries: int = pydantic.Field(5, ge=0)
    request_deadline_s: float = pydantic.Field(120.0, gt=0)
    run_deadline_s: float = pydantic.Field(3600.0, gt=0)
    backoff_initial_s: float = pydantic.Field(0.5, ge=0)
    backoff_max_s: float = pydantic.Field(20.0, ge=0)
    batch_size: int = pydantic.Field(64, gt=0)
    cache_uri: str = ""
    max_error_share: float = pydantic.Field(0.1, ge=0, le=1)


class LLMResource(dg.ConfigurableResource):
    """OpenAI-compatible chat endpoint for prompt-based classification.

    Every field left unset (None) falls back to its `MASLOW_LLM_*` variable (settings.LLM_ENV), read when
    the client is built, then to the LLMSettings default: so run config that sets `timeout_s` keeps the
    endpoint the environment names.

    Args:
        base_url: the API root, e.g. `http://127.0.0.1:8000/v1`; empty means "not configured", and the
            prompt-based classifiers are skipped (the asset metadata says so).
        model: the model name the endpoint serves.
        api_key: bearer token; pass `dg.EnvVar("MASLOW_LLM_API_KEY")` or leave it unset, never a literal.
        timeout_s, max_retries: per HTTP attempt, and attempts after the first.
        request_deadline_s, run_deadline_s: overall limits for one request and for the whole run.
        max_error_share: above this share of request errors in a day, the `llm_error_share` check fails.
        concurrency, backoff_initial_s, backoff_max_s, batch_size: see the module doc.
        cache_uri: Lance dataset of cached answers; default `<lake>/llm_cache.lance`.
    """

    base_url: str | None = None
    model: str | None = None
    api_key: str | None = None
    concurrency: int | None = None
    timeout_s: float | None = None
    max_retries: int | None = None
    request_deadline_s: float | None = None
    run_deadline_s: float | None = None
    backoff_initial_s: float | None = None
    backoff_max_s: float | None = None
    batch_size: int | None = None
    cache_uri: str | None = None
    max_error_share: float | None = None

    def effective(self) -> LLMSettings:
        given = {k: v for k, v in self.model_dump().items()
                 if v is not None and k in LLMSettings.model_fields}
        merged = {**settings.llm_settings(), **given}
        try:
            return LLMSettings.model_validate(merged)
        except pydantic.ValidationError as exc:
            err = exc.errors()[0]
            name = str(err["loc"][0])
            where = f"llm.{name}" if name in given else f"{settings.LLM_ENV.get(name, name)} (environment)"
            raise ValueError(f"{where}: {err['msg']}") from None

    def get_client(self) -> ChatCompletionsClient | None:
        s = self.effective()
        if not (s.base_url and s.model):
            return None
        cache = ResponseCache(s.cache_uri or f"{settings.lake_uri().rstrip('/')}/llm_cache.lance")
        return ChatCompletionsClient(
            s.base_url, s.model, s.api_key, s.concurrency, s.timeout_s, s.max_retries, s.backoff_initial_s,
            s.backoff_max_s, s.batch_size, cache, request_deadline_s=s.request_deadline_s,
            run_deadline_s=s.run_deadline_s,
        )


def llm_resource_from_env() -> LLMResource:
    """The resource with nothing set: every setting comes from `MASLOW_LLM_*` when a client is built."""
    return LLMResource()
