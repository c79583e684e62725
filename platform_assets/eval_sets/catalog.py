"""The eval-set catalog: one YAML per eval set in `dbt_like_sql/eval_sets/`, validated with pydantic.

A spec names a local data file (jsonl, jsonl.gz, parquet or csv, relative to the YAML), the task type,
the split, the mapping from our fields to the file's columns, an optional canary string, and which
fields are indexed for decontamination. In a CSV file a list field (choices) holds a JSON array.
A multiple-choice set whose answers are numbers (ARC's "1".."4", MMLU's 0..3) must say what the first
choice's number is with `answer_base: 0 | 1`; nothing guesses it.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import pyarrow.parquet as pq
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from platform_assets import settings
from platform_assets.processors import decontam
from platform_assets.specs import SpecError, load_yaml_model

FOLDER = "eval_sets"
Format = Literal["jsonl", "jsonl.gz", "parquet", "csv"]
IndexField = Literal["context", "question", "choices", "answer", "tests"]
_REQUIRED = {"multiple_choice": ("choices", "answer"), "math": ("answer",), "code": ("tests",), "open": ()}


class CatalogError(SpecError):
    """An eval-set YAML or its data file is invalid; the message names the file, line and field."""


class FieldMap(BaseModel):
    """Our field -> the column of the data file that holds it."""

    model_config = ConfigDict(extra="forbid")
    id: str
    question: str | None = None
    prompt: str | None = None
    choices: str | None = None
    answer: str | None = None
    context: str | None = None
    tests: str | None = None

    @model_validator(mode="after")
    def _one_question(self) -> FieldMap:
        if (self.question is None) == (self.prompt is None):
            raise ValueError("map exactly one of 'question' or 'prompt'")
        return self


class EvalSetSpec(BaseModel):
    """One eval set. `name` is the YAML file's stem, `spec_path` the YAML, `path` the data file, resolved."""

    model_config = ConfigDict(extra="forbid")
    name: str = ""
    description: str = ""
    task: Literal["multiple_choice", "math", "code", "open"]
    file: str
    format: Format | None = None
    split: str
    fields: FieldMap
    answer_base: Literal[0, 1] | None = None  # what a numeric multiple-choice answer counts from
    canary: str | None = Field(default=None, min_length=8)
    index_fields: list[IndexField] = ["context", "question", "choices", "answer"]
    path: Path = Path()
    spec_path: Path = Path()

    @field_validator("answer_base")
    @classmethod
    def _multiple_choice_only(cls, base: int | None, info: ValidationInfo) -> int | None:
        if base is not None and info.data.get("task") != "multiple_choice":
            raise ValueError("only a multiple_choice task has answer indices")
        return base

    @model_validator(mode="after")
    def _task_fields(self) -> EvalSetSpec:
        missing = [f for f in _REQUIRED[self.task] if getattr(self.fields, f) is None]
        if missing:
            raise ValueError(f"task {self.task!r} needs fields.{' and fields.'.join(missing)}")
        if self.format is None:
            known = ("jsonl.gz", "jsonl", "parquet", "csv")
            fmt = next((f for f in known if self.file.endswith("." + f)), None)
            if fmt is None:
                raise ValueError(f"cannot infer the format of {self.file!r}; set 'format'")
            self.format = fmt
        return self


def load_spec(path: Path) -> EvalSetSpec:
    """Parse and validate one YAML; errors read `<file>:<line>: <field>: <problem>`."""
    spec = load_yaml_model(path, EvalSetSpec, extra={"name": path.stem}, error=CatalogError)
    spec.path, spec.spec_path = (path.parent / spec.file).resolve(), path
    if not spec.path.is_file():
        raise CatalogError.at(path, ("file",), f"{spec.file!r} does not exist ({spec.path})")
    return spec


def catalog_dir() -> Path:
    return settings.spec_dir() / FOLDER


def load_catalog(folder: Path | None = None) -> dict[str, EvalSetSpec]:
    """Every eval set of the catalog, by name."""
    folder = folder or catalog_dir()
    return {p.stem: load_spec(p) for p in sorted(folder.glob("*.yaml"))}


def catalog_version(folder: Path | None = None) -> str:
    """Hash of every YAML, the data files they name and the decontamination code version."""
    folder = folder or catalog_dir()
    digest = hashlib.sha256(decontam.VERSION.encode())
    for path in sorted(folder.glob("*.yaml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
        try:
            digest.update(load_spec(path).path.read_bytes())
        except CatalogError:
            digest.update(b"<invalid>")  # the asset reports the error; the version still exists
    return digest.hexdigest()[:16]


def read_records(spec: EvalSetSpec) -> Iterator[tuple[int, dict | str]]:
    """(line or row number from 1, the record) per item; an unparsable line yields its error text."""
    if spec.format == "parquet":
        yield from enumerate(pq.read_table(spec.path).to_pylist(), start=1)
        return
    opener = gzip.open if spec.format == "jsonl.gz" else open
    with opener(spec.path, "rt", encoding="utf-8", newline="") as fh:
        if spec.format == "csv":
            yield from enumerate(csv.DictReader(fh), start=2)  # row 1 is the header
            return
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as e:
                yield number, f"invalid JSON: {e.msg} at column {e.colno}"
                continue
            yield number, record if isinstance(record, dict) else "a JSON line must be an object"
