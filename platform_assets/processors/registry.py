"""The one registry helper: `@register("name_vN")` on a class; a registry's package is imported on first use.

Filters (`FILTERS`, here), classifiers (`classifiers/registry.py`), text encoders (`embeddings/`) and
synthetics generators and judges (`synthetics/registry.py`) are each a `Registry`, so a new one is ONE file in
its folder. Names carry a version suffix: changing a processor's behaviour means a new name,
which also changes the fingerprint of any config that names it.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from typing import Any, Generic, TypeVar

T = TypeVar("T")
_NAME = re.compile(r"^[a-z][a-z0-9_]*_v\d+$")


class Registry(Generic[T]):
    """Classes by versioned name; every module of `package` (not starting with `_`) is imported once."""

    def __init__(self, package: str, kind: str = "processor"):
        self.package, self.kind = package, kind
        self._classes: dict[str, type[T]] = {}
        self._loaded = False

    def register(self, name: str):
        """Class decorator: register a class under `name` (snake_case with a `_vN` suffix)."""
        if not _NAME.match(name):
            raise ValueError(f"{self.kind} name {name!r} must be snake_case ending in _v<N>")

        def wrap(cls: type[T]) -> type[T]:
            known = self._classes.get(name, cls)
            if known is not cls and known.__qualname__ != cls.__qualname__:
                raise ValueError(f"{self.kind} name {name!r} is already registered by {known.__name__}")
            cls.name = name
            self._classes[name] = cls
            return cls

        return wrap

    def _load_all(self) -> None:
        if not self._loaded:
            package = importlib.import_module(self.package)
            for module in pkgutil.iter_modules(package.__path__):
                if not module.name.startswith("_"):
                    importlib.import_module(f"{self.package}.{module.name}")
            self._loaded = True

    def names(self) -> list[str]:
        """Every registered name, sorted."""
        self._load_all()
        return sorted(self._classes)

    def get(self, name: str) -> type[T]:
        self._load_all()
        if name not in self._classes:
            raise KeyError(f"unknown {self.kind} {name!r}; registered: {', '.join(sorted(self._classes))}")
        return self._classes[name]

    def build(self, name: str, params: dict[str, Any] | None = None) -> T:
        """An instance of `name` with `params` validated against its fields."""
        return self.get(name)(**(params or {}))


FILTERS: Registry = Registry("platform_assets.processors.filters", "processor")
register, names, get, build = FILTERS.register, FILTERS.names, FILTERS.get, FILTERS.build
