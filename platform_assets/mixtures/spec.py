"""The mixture spec (`dbt_like_sql/mixtures/<name>.yaml`): YAML + SQL, validated; errors name file and field.

Semantics follow OLMo-core's `SourceMixtureConfig`: each component is a source with a `target_ratio` (the
ratios sum to 1), a `max_repetition_ratio` (>= 1; 1 = no upsampling) and a `max_source_fraction` (<= 1, the
share of the source's tokens that may be used); the mixture asks for `requested_tokens` in total.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from platform_assets import settings
from platform_assets.specs import SpecError, file_hash, load_named_spec, named_spec_files, node_line
from resources import sql_guard, sql_refs

SPEC_FOLDER = "mixtures"
REQUIRED_COLUMNS = ("doc_id", "text", "token_count")
MIXTURE_COLUMNS = ("mixture", "sample_index", "doc_id", "component", "epoch", "text", "token_count")
# OLMo-core's check (numpy `isclose`): |sum - 1| <= 1e-8 + 1e-5, so three components of 0.33333 pass
RATIO_TOLERANCE = 1e-8 + 1e-5


class MixtureSpecError(SpecError):
    """A spec file is not valid; the message names the file, the line and the field."""


class Component(BaseModel):
    """One source of the mixture: a SQL `select` returning at least doc_id, text and token_count."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    sql: str
    target_ratio: float = Field(gt=0, le=1)
    max_repetition_ratio: float = Field(default=1.0, ge=1)
    max_source_fraction: float = Field(default=1.0, gt=0, le=1)

    @field_validator("sql")
    @classmethod
    def _one_select_with_refs(cls, sql: str) -> str:
        return sql_guard.spec_query(sql)


class Exclusions(BaseModel):
    """Documents kept out of the mixture: contaminated ones (action drop or cut: a cut document never enters
    a mixture whole), on by default, and held-out ones, always (`heldout: false` is a validation error)."""

    model_config = ConfigDict(extra="forbid")

    contaminated: bool = True
    heldout: bool = True

    @field_validator("heldout")
    @classmethod
    def _heldout_always(cls, heldout: bool) -> bool:
        if not heldout:
            raise ValueError("held-out documents never enter a mixture; remove `heldout: false`")
        return heldout

    def sources(self) -> list[str]:
        return [name for name, on in (("contamination", self.contaminated),
                                      ("heldout_documents", self.heldout)) if on]


class MixtureSpec(BaseModel):
    """A whole mixture: `requested_tokens` split over `components` by `target_ratio`, shuffled by `seed`."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    description: str = Field(min_length=1)
    seed: int = 42
    requested_tokens: int = Field(gt=0)
    components: list[Component] = Field(min_length=1)
    exclusions: Exclusions = Exclusions()
    output_columns: list[str] = Field(default_factory=list, description="extra columns carried through")

    @field_validator("components")
    @classmethod
    def _ratios_sum_to_one(cls, components: list[Component]) -> list[Component]:
        names = [c.name for c in components]
        if len(set(names)) != len(names):
            raise ValueError(f"names must be unique, got {names}")
        total = sum(c.target_ratio for c in components)
        if abs(total - 1.0) > RATIO_TOLERANCE:
            raise ValueError(f"target_ratio values must sum to 1, they sum to {total:.6g}")
        return components

    @field_validator("output_columns")
    @classmethod
    def _only_extra_columns(cls, columns: list[str]) -> list[str]:
        clash = set(columns) & set(MIXTURE_COLUMNS)
        if clash:
            raise ValueError(f"{sorted(clash)} are always written; list only extra columns")
        return columns

    def refs(self) -> list[str]:
        """Every asset the spec reads: its components' refs, then the exclusion sources."""
        found = [r for c in self.components for r in sql_refs.refs(c.sql)]
        return list(dict.fromkeys(found + self.exclusions.sources()))


def sql_blocks(spec: MixtureSpec, path: Path) -> list[tuple[str, str, int, tuple[str, ...]]]:
    """(field, SQL, the file's line where it starts, columns it must return) per component."""
    root = yaml.compose(path.read_text(encoding="utf-8"))
    blocks = []
    for i, component in enumerate(spec.components):
        line = 1 + node_line(root, ("components", i, "sql"))
        items = root.value if isinstance(root, yaml.MappingNode) else []
        seq = next((v for k, v in items if k.value == "components"), None)
        node = next((v for k, v in seq.value[i].value if k.value == "sql"), None) if seq else None
        if node is not None and getattr(node, "style", None) in ("|", ">"):
            line += 1  # a block scalar starts on the next line
        blocks.append((f"components[{i}]({component.name}).sql", component.sql, line,
                       (*REQUIRED_COLUMNS, *spec.output_columns)))
    return blocks


def spec_files(folder: Path | None = None) -> dict[str, Path]:
    """`{name: path}` of every spec, sorted by name (one `mixtures` partition each)."""
    return named_spec_files(folder or settings.spec_dir() / SPEC_FOLDER)


spec_hash = file_hash  # a spec's version: sha256 of its bytes, as its partition's data version


def load_spec(path: Path) -> MixtureSpec:
    """Parses and validates one spec; MixtureSpecError names the file, the line and the field."""
    return load_named_spec(path, MixtureSpec, MixtureSpecError)
