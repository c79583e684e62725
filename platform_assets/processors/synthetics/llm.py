"""`llm_v1`: N samples per prompt from any OpenAI-compatible endpoint (vLLM, TGI, llama.cpp server, OpenAI).

Requests go through `resources/llm.py` (retries on 429/5xx/timeouts, a Lance response cache). Each sample is
its own request whose cache key holds every sampling parameter and the sample index, so N samples stay N
answers and a re-run reads them all from the cache. With a spec `sampling.seed`, sample i is sent
`seed + i`. The JSON of exactly what was sent is stored on every sample (`sampling`), with the model and
the template hash. A failed request (after retries) or a malformed body gives a sample with `error` set.
"""

from __future__ import annotations

import hashlib

import pyarrow as pa
import regex
from pydantic import BaseModel, ConfigDict

from platform_assets.processors.classifiers.prompts import ChatRequest
from platform_assets.processors.hashing import short_digest
from platform_assets.processors.synthetics.registry import REGISTRY, Step
from platform_assets.processors.synthetics.samples import SAMPLE_SCHEMA, sampling_json

_FENCE = regex.compile(r"```(?:python|py)?\s*\n(.*?)\n```", regex.S)
SYSTEM = {
    "math": "Solve the problem. Show the worked steps, then end with a line `Answer: <number>`.",
    "code": "Complete the Python function. Reply with the whole function in one ```python block.",
    "dialog": "You are a helpful assistant. Reply to the user's last message.",
}


class LlmParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    system: dict[str, str] = SYSTEM  # per task; `{prompt}` is the user message
    user: str = "{prompt}"


def strip_fence(task: str, text: str | None) -> str | None:
    """A code answer's first fenced block (the whole text when there is none)."""
    if text is None or task != "code":
        return text
    m = _FENCE.search(text)
    return m.group(1) if m else text


@REGISTRY.register("llm_v1")
class LlmGenerator(Step):
    """Rows: `samples` sampled answers per task (sample_index 0..N-1)."""

    kind = "generator"
    needs_samples = True
    needs_client = True
    Params = LlmParams

    @property
    def template_hash(self) -> str:
        body = repr((sorted(self.params.system.items()), self.params.user))
        return short_digest(body)

    def messages(self, task: str, prompt: str) -> list[dict[str, str]]:
        system = self.params.system.get(task)
        user = self.params.user.replace("{prompt}", prompt)
        head = [{"role": "system", "content": system}] if system else []
        return [*head, {"role": "user", "content": user}]

    def generate(self, tasks: pa.Table, samples: int, sampling: dict, seed: int) -> pa.Table:
        rows, template = tasks.to_pylist(), self.template_hash
        requests, sent = [], []
        for r in rows:
            text_hash = hashlib.sha256(r["prompt"].encode()).hexdigest()
            for i in range(samples):
                params = {k: v for k, v in sampling.items() if v is not None}
                if sampling.get("seed") is not None:
                    params["seed"] = sampling["seed"] + i
                sent.append(sampling_json(params))
                requests.append(ChatRequest(template, text_hash, self.messages(r["task"], r["prompt"]),
                                            sampling["max_tokens"], sent[-1], i))
        results = self.client.complete(requests)
        out = []
        for k, res in enumerate(results):
            r, i = rows[k // samples], k % samples
            out.append({"doc_id": r["doc_id"], "task": r["task"], "prompt": r["prompt"], "key": r["key"],
                        "sample_index": i, "response": strip_fence(r["task"], res.content),
                        "generator": self.name, "model": self.client.model, "template_hash": template,
                        "sampling": sent[k], "seed": seed, "finish_reason": res.finish_reason,
                        "error": res.error or ("truncated" if res.finish_reason == "length" else None),
                        "perturbation": None})
        return pa.Table.from_pylist(out, SAMPLE_SCHEMA)
