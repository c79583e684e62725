"""The clean stage's configuration (`dbt_like_sql/filters.yaml`): thresholds per filter, a chain per domain.

Validated with pydantic; every error names the file and the key (`filters.gopher_quality_v1.min_doc_words`,
`chains.prose[2]`). `fingerprint()` hashes the *effective* configuration (defaults filled in, chains
resolved to each filter's full parameters, processor versions included), so any changed threshold changes
the clean assets' code version.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

import pydantic

from platform_assets.processors import domain, language, normalize, pii, registry, splitting
from platform_assets.processors.base import Filter
from platform_assets.processors.hashing import short_digest
from platform_assets.specs import SpecError, build_registered, load_yaml_model

Domain = Literal["prose", "code", "math", "dialog", "other"]
_STRICT = pydantic.ConfigDict(extra="forbid", frozen=True)


class CleanConfigError(SpecError):
    """filters.yaml cannot be used; the message names the file, the line and the key."""


class Step(pydantic.BaseModel):
    """One filter in a chain, with parameters that override `filters.<name>` for this chain only."""

    model_config = _STRICT
    name: str
    params: dict[str, Any] = {}


class LanguageConfig(pydantic.BaseModel):
    model_config = _STRICT
    min_score: float = pydantic.Field(0.65, ge=0, le=1)
    languages: list[str] | None = ["en"]  # None keeps every language
    skip_domains: list[Domain] = ["code", "math"]  # identified and recorded, never judged


class TokenCaps(pydantic.BaseModel):
    """The most tokens a document may have, per domain (`default` for a domain not named): every chain
    has a cap, so no document of any size is kept whole."""

    model_config = _STRICT
    default: int = pydantic.Field(131_072, gt=0)
    prose: int | None = pydantic.Field(None, gt=0)
    code: int | None = pydantic.Field(None, gt=0)
    math: int | None = pydantic.Field(None, gt=0)
    dialog: int | None = pydantic.Field(None, gt=0)
    other: int | None = pydantic.Field(None, gt=0)

    def cap(self, dom: str) -> int:
        return getattr(self, dom, None) or self.default


class CleanConfig(pydantic.BaseModel):
    """Validated clean-stage settings; `chain(domain)` gives the built filters for a domain."""

    model_config = _STRICT
    detect_domain: bool = True  # documents whose source names no domain: detect it, else `default_domain`
    default_domain: Domain = "prose"
    language: LanguageConfig = LanguageConfig()
    redact_pii: bool = True
    tokenizer: Literal["o200k_base", "cl100k_base"] = "o200k_base"
    max_tokens: TokenCaps = TokenCaps()
    filters: dict[str, dict[str, Any]] = {}
    chains: dict[Domain, list[str | Step]] = {}

    @pydantic.model_validator(mode="after")
    def _build(self) -> CleanConfig:
        for name, params in self.filters.items():
            build_registered(registry, name, params, ("filters", name))
        for dom, steps in self.chains.items():
            for i, step in enumerate(steps):
                key = ("chains", dom, i)
                build_registered(registry, _step(step).name, self._params(step), key, (*key, "params"))
        return self

    def _params(self, step: str | Step) -> dict[str, Any]:
        step = _step(step)
        return {**self.filters.get(step.name, {}), **step.params}

    def chain(self, dom: str) -> list[Filter]:
        """The filters judging documents of domain `dom`, in order (none for a domain without a chain)."""
        return [registry.build(_step(s).name, self._params(s)) for s in self.chains.get(dom, [])]

    def fingerprint(self) -> str:
        """A stable hash of the effective configuration and the processor versions."""
        effective = self.model_dump(mode="json", exclude={"filters", "chains"})
        effective["chains"] = {
            d: [{"name": f.name, "params": f.model_dump(mode="json")} for f in self.chain(d)]
            for d in sorted(self.chains)
        }
        modules = (normalize, language, domain, pii, splitting)
        effective["versions"] = [m.VERSION for m in modules]
        blob = json.dumps(effective, sort_keys=True, separators=(",", ":"))
        return short_digest(blob)


def _step(step: str | Step) -> Step:
    return Step(name=step) if isinstance(step, str) else step


FILTERS_FILE = "filters.yaml"  # in the spec folder


def load_clean_config(path: Path) -> CleanConfig:
    """Read and validate a filters.yaml (the shipped one: `<spec dir>/FILTERS_FILE`)."""
    return load_yaml_model(Path(path), CleanConfig, error=CleanConfigError)
