"""`dbt_like_sql/sources.yaml`: per-source field names and domain for the landing zone.

A source folder `<landing>/<source>/` needs an entry only when its records do not have the default
shape `{"id", "text", "url"?, "meta"?}` or when it belongs to one domain (prose, code, math, dialog).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import pydantic
import yaml

from platform_assets import settings

Domain = Literal["prose", "code", "math", "dialog"]


class SourcesError(ValueError):
    """sources.yaml cannot be used; the message names the file and the key."""


class FieldMap(pydantic.BaseModel):
    """Where each raw_documents field is found in a source's records (top-level keys)."""

    model_config = pydantic.ConfigDict(extra="forbid", frozen=True)
    id: str = "id"
    text: str = "text"
    url: str = "url"
    meta: str = "meta"


class SourceConfig(pydantic.BaseModel):
    """One landing source: its domain (None = mixed, decided later) and its field names."""

    model_config = pydantic.ConfigDict(extra="forbid", frozen=True)
    domain: Domain | None = None
    description: str | None = None
    fields: FieldMap = FieldMap()


class SourcesFile(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")
    sources: dict[str, SourceConfig] = {}


DEFAULT_SOURCE = SourceConfig()


def sources_path() -> Path:
    return settings.spec_dir() / "sources.yaml"


def load_sources(path: Path | None = None) -> dict[str, SourceConfig]:
    """Source configs by name; a missing file means every source has the default shape."""
    path = sources_path() if path is None else Path(path)
    if not path.exists():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise SourcesError(f"{path}: not valid YAML: {exc}") from exc
    try:
        return SourcesFile.model_validate(data or {}).sources
    except pydantic.ValidationError as exc:
        problems = "; ".join(f"key '{_key(err['loc'])}': {err['msg']}" for err in exc.errors())
        raise SourcesError(f"{path}: {problems}") from exc


def _key(loc: tuple) -> str:
    return ".".join(str(p) for p in loc) or "<top level>"


def source_config(sources: Mapping[str, SourceConfig], name: str) -> SourceConfig:
    return sources.get(name, DEFAULT_SOURCE)
