"""The one YAML-to-pydantic loader: every spec file (filters, sources, mixtures, eval sets, SQL model headers,
prompt templates, quality recipes) is read here, and every problem it has is a `SpecError` naming the file,
the line in that file (from the YAML node marks), the field path and the message.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import pydantic
import yaml

M = TypeVar("M", bound=pydantic.BaseModel)
Loc = Sequence[str | int]
TOP = "(top level)"


class SpecError(ValueError):
    """A spec cannot be used: `str(err)` is `path:line: field.path: message`, a line per problem (`more`)."""

    def __init__(self, path: str | Path, line: int | None, field: str, message: str,
                 more: Sequence[SpecError] = ()):
        self.path, self.line, self.field, self.message = Path(path), line, field or TOP, message
        self.more = list(more)
        super().__init__(str(self))

    def __reduce__(self):
        return type(self), (self.path, self.line, self.field, self.message, self.more)

    def __str__(self) -> str:
        return "\n".join(e.headline() for e in self.problems)

    @property
    def problems(self) -> list[SpecError]:
        return [self, *self.more]

    def headline(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else str(self.path)
        return f"{where}: {self.field}: {self.message}"

    @classmethod
    def at(cls, path: str | Path, loc: Loc, message: str, *, text: str | None = None,
           first_line: int = 1) -> SpecError:
        """The error for field `loc` of the YAML in `path` (or `text`, starting at `first_line` of it)."""
        if text is None:
            try:
                text = Path(path).read_text(encoding="utf-8")
            except OSError:
                return cls(path, None, field_path(loc), message)
        try:
            root = yaml.compose(text)
        except yaml.YAMLError:
            root = None
        return cls(path, first_line + node_line(root, loc), field_path(loc), message)


class FieldProblem(Exception):  # noqa: N818 - not a ValueError, so pydantic lets it through validators
    """Raised by a model validator to blame a nested field (`loc`) rather than the whole model."""

    def __init__(self, loc: Loc, message: str):
        super().__init__(f"{field_path(loc)}: {message}")
        self.loc, self.message = tuple(loc), message


def field_path(loc: Loc) -> str:
    """A pydantic location as `components[1].target_ratio`."""
    out = ""
    for part in loc:
        if part == "[key]":
            continue
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or TOP


def node_line(root: yaml.Node | None, loc: Loc) -> int:
    """0-based line of the deepest node `loc` reaches (a mapping key's own line); parts the YAML lacks
    (a missing field, a union's tag) are skipped."""
    node, line = root, 0 if root is None else root.start_mark.line
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            hit = next(((k, v) for k, v in node.value if getattr(k, "value", None) == str(part)), None)
            if hit is not None:
                line, node = hit[0].start_mark.line, hit[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line
    return line


def build_registered(registry: Any, name: str, params: Mapping[str, Any], key: Loc,
                     params_key: Loc | None = None) -> Any:
    """`registry.get(name)(**params)` for a spec: an unknown name blames `key`, a bad parameter
    `params_key.<field>` (default `key`), as a FieldProblem the loader turns into file:line: field."""
    try:
        cls = registry.get(name)
    except KeyError as exc:
        raise FieldProblem(key, exc.args[0]) from None
    try:
        return cls(**params)
    except pydantic.ValidationError as exc:
        err = exc.errors()[0]
        blamed = key if params_key is None else params_key
        raise FieldProblem((*blamed, *err["loc"]), _message(err)) from None


def _message(err: Mapping[str, Any]) -> str:
    return str(err["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")


def file_hash(path: str | Path) -> str:
    """sha256 of a spec file's bytes: any edit (SQL, ratio, seed, comment) changes it."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def named_spec_files(folder: str | Path) -> dict[str, Path]:
    """`{name: path}` of every `*.yaml` in `folder`, sorted by name: the specs named by their files
    (mixtures, synthetics, labeling queues; one partition each)."""
    return {p.stem: p for p in sorted(Path(folder).glob("*.yaml"))}


def load_named_spec(path: str | Path, model: type[M], error: type[SpecError]) -> M:
    """`load_yaml_model`, then the spec's `name` must equal its file name (else `error` blames `name`)."""
    spec = load_yaml_model(path, model, error=error)
    if spec.name != Path(path).stem:
        raise error.at(path, ("name",), f"{spec.name!r} must equal the file name {Path(path).stem!r}")
    return spec


def read_text(path: str | Path, error: type[SpecError] = SpecError) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(path, None, "(file)", "file not found") from None


def parse_yaml(path: str | Path, *, text: str | None = None, first_line: int = 1,
               error: type[SpecError] = SpecError) -> Any:
    """The YAML in `path` (or `text`) as Python data; a missing file or bad syntax raises `error`."""
    text = read_text(path, error) if text is None else text
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = first_line + mark.line if mark is not None else None
        raise error(path, line, "(yaml)", f"not valid YAML: {getattr(e, 'problem', None) or e}") from None


def load_yaml_model(path: str | Path, model: type[M], *, text: str | None = None, first_line: int = 1,
                    extra: Mapping[str, Any] | None = None, error: type[SpecError] = SpecError) -> M:
    """Read `path` (or `text`, whose first line is line `first_line` of `path`) into `model`.

    `extra` adds top-level fields the file does not hold (a name taken from the file name). Every problem
    of the file is one line of the raised `error` (a `SpecError` subclass), first by position in the file.
    """
    text = read_text(path, error) if text is None else text
    data = parse_yaml(path, text=text, first_line=first_line, error=error)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise error(path, first_line, TOP, f"expected a mapping of fields, got {type(data).__name__}")
    try:
        return model.model_validate({**data, **(extra or {})})
    except FieldProblem as e:
        raise error.at(path, e.loc, e.message, text=text, first_line=first_line) from None
    except pydantic.ValidationError as e:
        root = yaml.compose(text)
        found = [error(path, first_line + node_line(root, err["loc"]), field_path(err["loc"]), _message(err))
                 for err in e.errors()]
        found.sort(key=lambda f: f.line or 0)
        raise error(found[0].path, found[0].line, found[0].field, found[0].message, found[1:]) from None
