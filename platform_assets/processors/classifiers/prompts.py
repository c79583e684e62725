"""Prompt-based classification: YAML templates, a strict answer parser, and the columns it produces.

A template (`dbt_like_sql/prompts/<name>.yaml`) names its output fields; the answer must be exactly one
JSON object with those fields (optionally inside one ```json fence) and nothing else. Anything else is
recorded with a reason code (`empty_answer`, `not_json`, `not_an_object`, `missing_field:<f>`,
`unexpected_field:<f>`, `wrong_type:<f>`, `out_of_range:<f>`, `too_long:<f>`, `truncated`), never guessed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

import pyarrow as pa
import regex
from pydantic import BaseModel, ConfigDict, Field

from platform_assets.specs import SpecError, load_yaml_model

_FENCE = regex.compile(r"^```(?:json)?\s*\n(.*)\n```$", regex.S)


class OutputField(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["integer", "number", "string", "enum"]
    min: float | None = None
    max: float | None = None
    values: list[str] | None = None  # for enum
    max_length: int = 1000


class PromptTemplate(BaseModel):
    """One prompt classifier: messages with a `{text}` slot and the fields its answer must hold."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*_v\d+$")
    version: int = 1
    description: str = ""
    system: str = ""
    user: str
    max_chars: int = 4000
    max_tokens: int = 256
    output: dict[str, OutputField] = Field(min_length=1)
    score: str  # the output field that becomes score__<name>
    examples: list[dict[str, Any]] = []  # {answer, parsed} or {answer, error}; run by the tests

    @property
    def cache_version(self) -> str:
        """`name@version:hash`: editing the prompt or its `max_tokens` changes the cache key (and the code
        version of `document_classifications`) even without a version bump."""
        body = json.dumps(
            [self.system, self.user, self.max_chars, self.max_tokens, self.model_dump(include={"output"})],
            sort_keys=True,
        )
        return f"{self.name}@{self.version}:{hashlib.sha256(body.encode()).hexdigest()[:8]}"

    def messages(self, text: str) -> list[dict[str, str]]:
        user = self.user.replace("{text}", text[: self.max_chars])
        return ([{"role": "system", "content": self.system}] if self.system else []) + [
            {"role": "user", "content": user}
        ]

    def parse(self, answer: str | None, finish_reason: str | None = None) -> tuple[dict | None, str | None]:
        """(fields, None) for a valid answer, else (None, reason)."""
        if finish_reason == "length":
            return None, "truncated"
        text = (answer or "").strip()
        if not text:
            return None, "empty_answer"
        fenced = _FENCE.match(text)
        try:
            obj = json.loads(fenced.group(1) if fenced else text)
        except json.JSONDecodeError:
            return None, "not_json"
        if not isinstance(obj, dict):
            return None, "not_an_object"
        for key in obj:
            if key not in self.output:
                return None, f"unexpected_field:{key}"
        for key, spec in self.output.items():
            if key not in obj:
                return None, f"missing_field:{key}"
            reason = _check(obj[key], spec)
            if reason:
                return None, f"{reason}:{key}"
        return obj, None


def _check(value: Any, spec: OutputField) -> str | None:
    if spec.type in ("string", "enum"):
        if not isinstance(value, str):
            return "wrong_type"
        if spec.type == "enum" and value not in (spec.values or []):
            return "out_of_range"
        return "too_long" if len(value) > spec.max_length else None
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or (spec.type == "integer" and not isinstance(value, int))
    ):
        return "wrong_type"
    if (spec.min is not None and value < spec.min) or (spec.max is not None and value > spec.max):
        return "out_of_range"
    return None


def load_templates(folder: Path) -> dict[str, PromptTemplate]:
    """Every `*.yaml` template in `folder`, by name; errors name the file and the key."""
    templates = {}
    for path in sorted(folder.glob("*.yaml")):
        t = load_yaml_model(path, PromptTemplate)
        if t.score not in t.output:
            raise SpecError.at(path, ("score",), f"{t.score!r} is not an output field {sorted(t.output)}")
        if t.name in templates:
            raise SpecError.at(path, ("name",), f"{t.name!r} is already defined by another template")
        templates[t.name] = t
    return templates


@dataclass(frozen=True)
class ChatRequest:
    """One chat completion to run; with the model, `template_version`, `text_hash`, `max_tokens`, and for a
    sampled request `sampling` (canonical JSON of temperature, top_p, seed, ...) and `sample_index`, form the
    cache key. `sampling=None` is greedy (temperature 0)."""

    template_version: str
    text_hash: str
    messages: list[dict[str, str]]
    max_tokens: int
    sampling: str | None = None
    sample_index: int = 0


@dataclass(frozen=True)
class ChatResult:
    content: str | None
    finish_reason: str | None = None
    error: str | None = None  # request failure after retries, e.g. http_503, timeout, malformed_response
    cached: bool = False
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_s: float = 0.0


class ChatClient(Protocol):
    def complete(self, requests: list[ChatRequest]) -> list[ChatResult]: ...


_ARROW = {"integer": pa.int64(), "number": pa.float64(), "string": pa.string(), "enum": pa.string()}


def prompt_schema(t: PromptTemplate) -> pa.Schema:
    extra = [pa.field(f"{t.name}__{k}", _ARROW[s.type]) for k, s in t.output.items() if k != t.score]
    return pa.schema(
        [
            pa.field(f"score__{t.name}", pa.float32()),
            *extra,
            pa.field(f"{t.name}__status", pa.string()),
            pa.field(f"{t.name}__error", pa.string()),
            pa.field(f"{t.name}__cached", pa.bool_()),
        ]
    )


def prompt_columns(
    t: PromptTemplate, client: ChatClient | None, texts: list[str | None], selected: list[bool]
) -> dict[str, pa.Array]:
    """Columns of `prompt_schema`: status ok | parse_error | request_error | not_sampled | skipped."""
    n = len(texts)
    cols: dict[str, list] = {f.name: [None] * n for f in prompt_schema(t)}
    status, error = cols[f"{t.name}__status"], cols[f"{t.name}__error"]
    todo = [i for i in range(n) if selected[i] and texts[i] is not None]
    for i in range(n):
        status[i] = "skipped" if client is None else "not_sampled"
    if client is not None and todo:
        requests = [
            ChatRequest(
                t.cache_version,
                hashlib.sha256(texts[i].encode()).hexdigest(),
                t.messages(texts[i]),
                t.max_tokens,
            )
            for i in todo
        ]
        for i, res in zip(todo, client.complete(requests), strict=True):
            cols[f"{t.name}__cached"][i] = res.cached
            if res.error:
                status[i], error[i] = "request_error", res.error
                continue
            fields, reason = t.parse(res.content, res.finish_reason)
            if reason:
                status[i], error[i] = "parse_error", reason
                continue
            status[i] = "ok"
            cols[f"score__{t.name}"][i] = float(fields[t.score])
            for k, v in fields.items():
                if k != t.score:
                    cols[f"{t.name}__{k}"][i] = v
    schema = prompt_schema(t)
    return {f.name: pa.array(cols[f.name], f.type) for f in schema}
