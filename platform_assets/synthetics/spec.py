"""The synthetics spec (`dbt_like_sql/synthetics/<name>.yaml`): validated; errors name the file and the field.

A spec is a SQL `select` of seed prompts over upstream assets (`{{ ref() }}`; it returns at least `doc_id`
and `text`), a generator and a judge (registered names with their params), samples per prompt, the sampling
parameters, a pairing rule, the gates and the extra seed columns carried into every pair.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from platform_assets import settings
from platform_assets.specs import SpecError, file_hash, load_named_spec, named_spec_files
from resources import sql_guard, sql_refs

SPEC_FOLDER = "synthetics"
SEED_COLUMNS = ("doc_id", "text")


class SynthSpecError(SpecError):
    """A spec file is not valid; the message names the file and the field (or the YAML line)."""


class Step(BaseModel):
    """A registered generator or judge by name (`perturb_v1`, `llm_v1`, `verifier_v1`, `llm_judge_v1`)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*_v\d+$")
    params: dict[str, Any] = Field(default_factory=dict)


class Sampling(BaseModel):
    """Sampling parameters sent to a model (and stored on every row that used them)."""

    model_config = ConfigDict(extra="forbid")

    temperature: float = Field(default=0.8, ge=0, le=2)
    top_p: float = Field(default=1.0, gt=0, le=1)
    max_tokens: int = Field(default=512, gt=0, le=32768)
    seed: int | None = None  # sent to the server when set; per sample it becomes seed + sample_index


class Gates(BaseModel):
    """What a pair must pass to be kept: near-duplicate Jaccard threshold (MinHash, the clean stage's
    preset), dedup against clean_documents and decontamination against the eval sets (a `contamination`
    preset)."""

    model_config = ConfigDict(extra="forbid")

    near_dup: bool = True
    corpus_dedup: bool = True
    decontaminate: bool = True
    decontam_preset: Literal["lm_eval", "datatrove"] = "lm_eval"
    minhash_preset: Literal["fineweb", "nemo", "rpv2"] = "fineweb"  # near_dup_index rows of this preset


class JudgeLimits(BaseModel):
    """Position and length bias a pairwise judge may show before the `judge_bias` asset check fails:
    the share of pairs whose verdict flips when the answers swap places, and the share of decisive
    verdicts won by the longer answer (published GPT-4 judgments: about 0.13 and 0.68)."""

    model_config = ConfigDict(extra="forbid")

    max_flip_rate: float = Field(default=0.2, ge=0, le=1)
    max_longer_win_share: float = Field(default=0.8, ge=0, le=1)


class SynthSpec(BaseModel):
    """One synthetics run: seeds → `generator` (× `samples_per_prompt`) → `judge` → `pairing` → gates."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    description: str = Field(min_length=1)
    seed: int = 0
    sql: str
    max_prompts: int | None = Field(default=None, gt=0)
    generator: Step
    samples_per_prompt: int = Field(default=2, ge=1, le=64)
    sampling: Sampling = Sampling()
    judge: Step
    pairing: Literal["best_vs_worst", "all_pairs"] = "best_vs_worst"
    gates: Gates = Gates()
    judge_limits: JudgeLimits = JudgeLimits()
    output_columns: list[str] = Field(default_factory=list, description="seed columns carried into pairs")

    @field_validator("sql")
    @classmethod
    def _one_select_with_refs(cls, sql: str) -> str:
        return sql_guard.spec_query(sql)

    @field_validator("generator")
    @classmethod
    def _known_generator(cls, step: Step) -> Step:
        return _known(step, "generator")

    @field_validator("judge")
    @classmethod
    def _known_judge(cls, step: Step) -> Step:
        return _known(step, "judge")

    @model_validator(mode="after")
    def _pairs_need_two(self) -> SynthSpec:
        from platform_assets.processors.synthetics import registry

        if registry.get(self.generator.name).needs_samples and self.samples_per_prompt < 2:
            raise ValueError(f"samples_per_prompt: {self.generator.name} pairs its own samples, so it needs "
                             "at least 2 per prompt")
        return self

    def refs(self) -> list[str]:
        return sql_refs.refs(self.sql)


def _known(step: Step, kind: str) -> Step:
    from platform_assets.processors.synthetics import registry

    try:
        cls = registry.get(step.name)
    except KeyError as e:
        raise ValueError(e.args[0]) from None
    if cls.kind != kind:
        raise ValueError(f"{step.name!r} is a {cls.kind}, not a {kind}")
    cls.Params.model_validate(step.params)  # unknown or ill-typed params fail here, naming the field
    return step


def spec_files(folder: Path | None = None) -> dict[str, Path]:
    """`{name: path}` of every spec, sorted by name (one partition each)."""
    return named_spec_files(folder or settings.spec_dir() / SPEC_FOLDER)


spec_hash = file_hash  # a spec's version: sha256 of its bytes, as its partition's data version


def load_spec(path: Path) -> SynthSpec:
    """Parses and validates one spec; SynthSpecError names the file, the line and the field."""
    return load_named_spec(path, SynthSpec, SynthSpecError)
