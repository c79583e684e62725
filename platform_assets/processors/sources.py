"""`dbt_like_sql/sources.yaml`: per-source field names, domain and modality for the landing zone.

A source folder `<landing>/<source>/` needs an entry only when its records do not have the default
shape `{"id", "text", "url"?, "meta"?}`, when it belongs to one domain (prose, code, math, dialog), or when
it holds media (`modality: image|audio`: read by raw_media, never by raw_documents).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Literal

import pydantic

from platform_assets.processors.hashing import short_digest
from platform_assets.specs import SpecError, load_yaml_model

Domain = Literal["prose", "code", "math", "dialog"]
DEFAULT_MAX_DOCUMENT_BYTES = 4 << 20
Modality = Literal["text", "image", "audio"]
MEDIA_TEXT_FIELD = {"image": "caption", "audio": "transcript"}


class SourcesError(SpecError):
    """sources.yaml cannot be used; the message names the file, the line and the key."""


class FieldMap(pydantic.BaseModel):
    """Where each raw_documents field is found in a source's records (top-level keys)."""

    model_config = pydantic.ConfigDict(extra="forbid", frozen=True)
    id: str = "id"
    text: str = "text"
    url: str = "url"
    meta: str = "meta"
    bytes: str = "bytes"  # media sources: the Parquet column holding a file's bytes
    file: str = "file"  # media sources: the sidecar key naming a file, the Parquet column with its name


class SourceConfig(pydantic.BaseModel):
    """One landing source: its domain (None = mixed, decided later) and its field names."""

    model_config = pydantic.ConfigDict(extra="forbid", frozen=True)
    domain: Domain | None = None
    description: str | None = None
    modality: Modality = "text"
    fields: FieldMap = FieldMap()
    # a record (JSONL line, txt file, Parquet row's text) larger than this is quarantined as too_large
    max_document_bytes: pydantic.ByteSize = pydantic.Field(
        pydantic.ByteSize(DEFAULT_MAX_DOCUMENT_BYTES), gt=0)

    @property
    def is_media(self) -> bool:
        return self.modality != "text"

    def text_field(self) -> str:
        """Where a record's text is: `fields.text` if set, else `caption` (image) or `transcript` (audio)."""
        if self.is_media and "text" not in self.fields.model_fields_set:
            return MEDIA_TEXT_FIELD[self.modality]
        return self.fields.text


class SourcesFile(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")
    sources: dict[str, SourceConfig] = {}


DEFAULT_SOURCE = SourceConfig()


SOURCES_FILE = "sources.yaml"  # in the spec folder


def load_sources(path: Path) -> dict[str, SourceConfig]:
    """Source configs by name; a missing file means every source has the default shape."""
    path = Path(path)
    if not path.exists():
        return {}
    return load_yaml_model(path, SourcesFile, error=SourcesError).sources


def source_config(sources: Mapping[str, SourceConfig], name: str) -> SourceConfig:
    return sources.get(name, DEFAULT_SOURCE)


def entry_digest(sources: Mapping[str, SourceConfig], name: str) -> str:
    """What ingestion reads of one source's entry (its description left out), as a short hash: an absent
    entry and one spelling out the defaults digest alike, since they read the files alike."""
    entry = source_config(sources, name).model_dump(mode="json", exclude={"description"})
    return short_digest(json.dumps(entry, sort_keys=True))


def entries_digest(sources: Mapping[str, SourceConfig], names: Iterable[str]) -> str:
    """The entries of `names` (the sources with files in one day) as one hash: a day's spec version."""
    digest = hashlib.sha256()
    for name in sorted(set(names)):
        digest.update(f"{name}\0{entry_digest(sources, name)}\n".encode())
    return digest.hexdigest()[:24]
