"""The media stage's configuration (`dbt_like_sql/media.yaml`), validated; errors name file and key."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

import pydantic

from platform_assets.processors import language, pii
from platform_assets.processors.hashing import short_digest
from platform_assets.processors.media import registry
from platform_assets.processors.media.filters.base import MediaFilter
from platform_assets.specs import SpecError, build_registered, load_yaml_model

_STRICT = pydantic.ConfigDict(extra="forbid", frozen=True)
VERSION = "media_v1"  # bump when decoding, hashing or dedup decisions change for the same data


class MediaConfigError(SpecError):
    """media.yaml cannot be used; the message names the file, the line and the key."""


class NearDup(pydantic.BaseModel):
    model_config = _STRICT
    max_hamming: int = pydantic.Field(10, ge=0, le=31)


class MediaConfig(pydantic.BaseModel):
    """Validated media settings; `chain(modality)` gives the built filters for a modality."""

    model_config = _STRICT
    max_bytes: int = pydantic.Field(32 << 20, gt=0)
    redact_pii: bool = True
    tokenizer: Literal["o200k_base", "cl100k_base"] = "o200k_base"
    near_dup: NearDup = NearDup()
    filters: dict[str, dict[str, Any]] = {}
    chains: dict[Literal["image", "audio"], list[str]] = {}

    @pydantic.model_validator(mode="after")
    def _build(self) -> MediaConfig:
        for name in self.filters:
            build_registered(registry, name, self.filters[name], ("filters", name))
        for modality, names in self.chains.items():
            for i, name in enumerate(names):
                build_registered(registry, name, self.filters.get(name, {}), ("chains", modality, i))
        return self

    def chain(self, modality: str) -> list[MediaFilter]:
        return [registry.build(n, self.filters.get(n, {})) for n in self.chains.get(modality, [])]

    def fingerprint(self) -> str:
        """A stable hash of the effective configuration and the processor versions."""
        effective = self.model_dump(mode="json", exclude={"filters"})
        effective["chains"] = {m: [{"name": f.name, **f.model_dump(mode="json")} for f in self.chain(m)]
                               for m in sorted(self.chains)}
        effective["versions"] = [VERSION, language.VERSION, pii.VERSION]
        return short_digest(json.dumps(effective, sort_keys=True))


MEDIA_FILE = "media.yaml"  # in the spec folder


def load_media_config(path: Path) -> MediaConfig:
    """A media.yaml (the shipped one: `<spec dir>/MEDIA_FILE`); a missing file means the defaults."""
    path = Path(path)
    return load_yaml_model(path, MediaConfig, error=MediaConfigError) if path.exists() else MediaConfig()
