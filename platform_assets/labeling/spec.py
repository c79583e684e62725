"""A labeling queue spec (`dbt_like_sql/labeling/<queue>.yaml`): what to ask, about which items, sampled how.

The spec is data: a SQL `select` over upstream assets (`{{ ref() }}` edges, run by the `sql_engine` resource
like mixture components), the question, the sampling plan and the overlap. Errors name the file, the line
and the field (`platform_assets.specs.load_yaml_model`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from platform_assets import settings
from platform_assets.specs import SpecError, file_hash, load_named_spec, named_spec_files
from resources import sql_guard, sql_refs

SPEC_FOLDER = "labeling"
NAME = r"^[a-z][a-z0-9_]*$"


class QueueSpecError(SpecError):
    """A queue spec is not valid; the message names the file, the line and the field."""


class Question(BaseModel):
    """What the annotator answers. `choices`: one of `choices`; `rating`: 1..`scale` (ordinal);
    `pairwise`: which of `text_a` / `text_b` is better (answers `a` / `b`)."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["choices", "rating", "pairwise"]
    name: str = Field("answer", pattern=NAME)
    prompt: str = Field(min_length=1)
    choices: list[str] = Field(default_factory=list)
    scale: int = Field(5, ge=2, le=10)

    @model_validator(mode="after")
    def _choices_for_choices(self) -> Question:
        if self.kind == "choices" and len(set(self.choices)) < 2:
            raise ValueError("a choices question needs at least two distinct `choices`")
        if self.kind != "choices" and self.choices:
            raise ValueError(f"`choices` belong to kind choices, not {self.kind}")
        return self

    def answers(self) -> list[str]:
        """Every valid answer, in order (ratings as strings "1".."scale")."""
        if self.kind == "choices":
            return list(self.choices)
        if self.kind == "rating":
            return [str(i) for i in range(1, self.scale + 1)]
        return ["a", "b"]

    @property
    def level(self) -> str:
        """Krippendorff's level of measurement the answers have."""
        return "ordinal" if self.kind == "rating" else "nominal"


class Suggestion(BaseModel):
    """The model's suggestion shown to annotators: `above` when the query's `score` >= its `threshold`
    column, else `below`; the query also returns `model_version` (the model's content hash)."""

    model_config = ConfigDict(extra="forbid")

    above: str
    below: str


class Disagreement(BaseModel):
    """Items where two classifiers' labels (columns `a`, `b` of the query) are both set and differ."""

    model_config = ConfigDict(extra="forbid")

    fraction: float = Field(ge=0, le=1)
    a: str
    b: str


class Sampling(BaseModel):
    """Which items become tasks. `random` (always > 0: the unbiased gold slice), `uncertainty` (scores
    nearest the decision threshold) and `disagreement` are shares of `size`; what is left is spread evenly
    over the strata (`strata` columns, e.g. source, domain, day). Every slice but random is drawn
    round-robin over the strata."""

    model_config = ConfigDict(extra="forbid")

    size: int = Field(gt=0)
    seed: int = 0
    random: float = Field(gt=0, le=1)
    uncertainty: float = Field(0.0, ge=0, le=1)
    disagreement: Disagreement | None = None
    strata: list[str] = Field(default_factory=lambda: ["source", "domain", "day"])

    @model_validator(mode="after")
    def _shares_fit(self) -> Sampling:
        total = self.random + self.uncertainty + (self.disagreement.fraction if self.disagreement else 0)
        if total > 1 + 1e-9:
            raise ValueError(f"random + uncertainty + disagreement.fraction must be <= 1, got {total:.4g}")
        return self


class Overlap(BaseModel):
    """`fraction` of the tasks go to `annotators` (>= 2) people each, blind to the others' answers."""

    model_config = ConfigDict(extra="forbid")

    fraction: float = Field(ge=0, le=1)
    annotators: int = Field(2, ge=2)


class Thresholds(BaseModel):
    """Agreement below these fails the asset checks on `adjudicated_labels` (None: not checked)."""

    model_config = ConfigDict(extra="forbid")

    cohen_kappa: float | None = 0.4
    fleiss_kappa: float | None = 0.4
    krippendorff_alpha: float | None = 0.4
    min_overlap_items: int = Field(5, ge=0)


class QueueSpec(BaseModel):
    """A labeling queue: `sql` selects candidate items (`item_id`, `text`; `text_a`/`text_b` for pairwise;
    `score`, `threshold`, `model_version` for a suggestion; an optional `gold` answer)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=NAME)
    description: str = Field(min_length=1)
    sql: str
    question: Question
    suggestion: Suggestion | None = None
    sampling: Sampling
    overlap: Overlap = Overlap(fraction=0.0)
    agreement: Thresholds = Thresholds()

    @field_validator("sql")
    @classmethod
    def _one_select_with_refs(cls, sql: str) -> str:
        return sql_guard.spec_query(sql)

    @model_validator(mode="after")
    def _suggestion_answers_exist(self) -> QueueSpec:
        if self.suggestion is not None:
            for side in ("above", "below"):
                if getattr(self.suggestion, side) not in self.question.answers():
                    raise ValueError(f"suggestion.{side} must be one of {self.question.answers()}")
        return self

    def refs(self) -> list[str]:
        return sql_refs.refs(self.sql)


def spec_files(folder: Path | None = None) -> dict[str, Path]:
    """`{queue: path}` of every queue spec, sorted (one partition each)."""
    return named_spec_files(folder or settings.spec_dir() / SPEC_FOLDER)


spec_hash = file_hash  # a spec's version: sha256 of its bytes, as its partition's data version


def load_queue(path: Path) -> QueueSpec:
    """Parses and validates one queue spec; the file name is the queue's name."""
    return load_named_spec(path, QueueSpec, QueueSpecError)
