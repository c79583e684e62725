"""`dbt_like_sql/sources.yaml`: per-source field names and domain for the landing zone.

A source folder `<landing>/<source>/` needs an entry only when its records do not have the default
shape `{"id", "text", "url"?, "meta"?}` or when it belongs to one domain (prose, code, math, dialog).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import pydantic

from platform_assets import settings
from platform_assets.specs import SpecError, load_yaml_model

Domain = Literal["prose", "code", "math", "dialog"]
DEFAULT_MAX_DOCUMENT_BYTES = 4 << 20


class SourcesError(SpecError):
    """sources.yaml cannot be used; the message names the file, the line and the key."""


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
    # a record (JSONL line, txt file, Parquet row's text) larger than this is quarantined as too_large
    max_document_bytes: pydantic.ByteSize = pydantic.Field(
        pydantic.ByteSize(DEFAULT_MAX_DOCUMENT_BYTES), gt=0)


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
    return load_yaml_model(path, SourcesFile, error=SourcesError).sources


def source_config(sources: Mapping[str, SourceConfig], name: str) -> SourceConfig:
    return sources.get(name, DEFAULT_SOURCE)
