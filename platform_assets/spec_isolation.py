"""Spec isolation: one broken spec file never takes the code location down.

Every asset built from spec files loads them through `guard` (one file: sources.yaml, filters.yaml, one
analytics model) or `SpecFamily` (one static partition per file: mixtures, eval sets, synthetics, labeling
queues). A file that does not parse or validate is kept as a problem instead of raising at import:

- the asset (or the file's partition) is still defined, so the location loads and sensors keep ticking;
- its definition metadata `spec_errors` lists `file:line: field: message` (visible in the UI at once);
- a run that reaches it fails with that message (`dg.Failure`, no retries);
- each problem is logged once as a warning while the definitions load, and `maslow validate` prints it.

A loader signals a bad spec by raising `ValueError` (the loaders' `SpecError`s, pydantic's
`ValidationError`) or `OSError` (a missing data file); anything else is a bug and still raises.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

import dagster as dg

from platform_assets import settings
from resources import sql_diagnostics as diagnostics
from resources import sql_refs

T = TypeVar("T")
log = logging.getLogger("maslow.specs")
SPEC_ERRORS = "spec_errors"
NO_SPECS = "__none__"  # the one partition of a family with no spec files (Dagster needs at least one)
FOUND: dict[Path, list[str]] = {}  # every spec problem met while loading, by file (logged once each)
LOADED: dict[Path, Guarded] = {}  # every spec file loaded here, latest result (`maslow validate` reads it)


def problem_lines(err: BaseException) -> list[str]:
    """One `file:line: field: message` line per problem of a loader's error."""
    problems = getattr(err, "problems", None)
    if problems:
        return [p.headline() for p in problems]
    return [line for line in str(err).splitlines() if line.strip()] or [type(err).__name__]


@dataclass(frozen=True)
class Guarded(Generic[T]):
    """A spec file and either its loaded value or the error that kept it from loading."""

    path: Path
    value: T | None = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def problems(self) -> list[str]:
        return [] if self.error is None else problem_lines(self.error)

    def get(self) -> T:
        """The value; for a broken file the `dg.Failure` that fails the run with the validation message."""
        if self.error is not None:
            raise spec_failure(self.path, self.problems)
        return self.value  # type: ignore[return-value]


def guard(path: Path, load: Callable[[Path], T]) -> Guarded[T]:
    """`load(path)`, with a bad spec kept as a problem (and logged once) instead of raised."""
    try:
        found = LOADED[path] = Guarded(path, load(path))
        return found
    except (ValueError, OSError) as err:
        found = LOADED[path] = Guarded(path, error=err)
        if FOUND.get(path) != found.problems:
            FOUND[path] = found.problems
            for line in found.problems:
                log.warning("invalid spec (its asset fails until fixed): %s", line)
        return found


def spec_failure(path: Path, problems: list[str]) -> dg.Failure:
    return dg.Failure(
        description=f"invalid spec {path}; fix it (or run `maslow validate`):\n" + "\n".join(problems),
        metadata={"spec_file": str(path), SPEC_ERRORS: dg.MetadataValue.text("\n".join(problems))},
        allow_retries=False,
    )


def spec_errors_metadata(loaded: Iterable[Guarded]) -> dict:
    """`{"spec_errors": ...}` for an asset's definition metadata when any of its spec files is broken."""
    lines = [line for g in loaded for line in g.problems]
    return {SPEC_ERRORS: dg.MetadataValue.md("\n".join(f"- `{line}`" for line in lines))} if lines else {}


def check_refs(context: dg.AssetExecutionContext, path: Path, blocks: list[tuple], error: type,
               engine) -> None:
    """Fails the run when a query of the spec refs an asset that is neither defined nor in the lake ("no such
    asset", with close names); `blocks`: the spec's (field, sql, first line, ...); `error`: its SpecError."""
    known = {k.to_user_string() for k in context.job_def.asset_layer.asset_graph.materializable_asset_keys}
    for field, sql, first_line, *_ in blocks:
        known |= {r for r in sql_refs.refs(sql) if engine.dataset(r) is not None}
        for problem in diagnostics.unknown_refs(sql, known):
            raise error(path, diagnostics.file_line(first_line, problem), field, problem.message)


class SpecFamily(Generic[T]):
    """A spec-per-partition family: the files `<spec dir>/<folder>/<pattern>`, one static partition per
    file stem, broken files included (their partitions fail with the validation message)."""

    def __init__(self, folder: str | Path, load: Callable[[Path], T], pattern: str = "*.yaml"):
        self.root = folder if isinstance(folder, Path) else settings.spec_dir() / folder
        self.files = {p.stem: p for p in sorted(self.root.glob(pattern))}
        self.loaded = {name: guard(path, load) for name, path in self.files.items()}

    def partitions_def(self) -> dg.StaticPartitionsDefinition:
        return dg.StaticPartitionsDefinition(sorted(self.files) or [NO_SPECS])

    def spec(self, name: str) -> T:
        """The valid spec of partition `name`; a broken or missing one fails the run."""
        if name not in self.loaded:
            raise dg.Failure(f"no spec file {name} in {self.root} (has: {', '.join(self.files) or 'none'})",
                             allow_retries=False)
        return self.loaded[name].get()

    @property
    def valid(self) -> dict[str, T]:
        return {name: g.value for name, g in self.loaded.items() if g.ok}  # type: ignore[misc]

    @property
    def broken(self) -> dict[str, list[str]]:
        return {name: g.problems for name, g in self.loaded.items() if not g.ok}

    def metadata(self) -> dict:
        return spec_errors_metadata(self.loaded.values())
