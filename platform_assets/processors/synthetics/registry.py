"""The synthetics registry: generators (`perturb_v1`, `llm_v1`) and judges (`verifier_v1`, `llm_judge_v1`).

Each is one file in this folder with `@REGISTRY.register("name_vN")` on a `Step` subclass; the spec names it
and passes `params`, validated by the step's `Params` model.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from platform_assets.processors.registry import Registry


class NoParams(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Step:
    """A generator or a judge. `client` is a `prompts.ChatClient` for steps that call a model (else None)."""

    name: ClassVar[str] = ""
    kind: ClassVar[str] = ""  # "generator" or "judge"
    needs_samples: ClassVar[bool] = False  # a generator whose pairs come from its own N samples
    needs_client: ClassVar[bool] = False
    Params: ClassVar[type[BaseModel]] = NoParams

    def __init__(self, params: dict[str, Any] | None = None, client: Any = None):
        self.params = self.Params.model_validate(params or {})
        self.client = client
        if self.needs_client and client is None:
            raise ValueError(f"{self.name} calls a model: configure the `llm` resource (MASLOW_LLM_URL, "
                             "MASLOW_LLM_MODEL)")


REGISTRY: Registry[Step] = Registry("platform_assets.processors.synthetics", "synthetics step")
get, names = REGISTRY.get, REGISTRY.names


def build(name: str, params: dict[str, Any] | None = None, client: Any = None) -> Step:
    return get(name)(params, client)
