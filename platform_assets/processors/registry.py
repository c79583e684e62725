"""Processor registry: `@register("name_vN")` on a class; the filters package is imported on first use.

So a new filter is ONE file in `processors/filters/`. Names carry a version suffix: changing a filter's
behaviour means a new name, which also changes the clean config's fingerprint.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from typing import Any

from platform_assets.processors.base import Filter

_REGISTRY: dict[str, type[Filter]] = {}
_NAME = re.compile(r"^[a-z][a-z0-9_]*_v\d+$")
_loaded = False


def register(name: str):
    """Class decorator: register a Filter under `name` (snake_case with a `_vN` suffix)."""
    if not _NAME.match(name):
        raise ValueError(f"processor name {name!r} must be snake_case ending in _v<N>")

    def wrap(cls: type[Filter]) -> type[Filter]:
        if _REGISTRY.get(name, cls) is not cls:
            raise ValueError(f"processor name {name!r} is already registered by {_REGISTRY[name].__name__}")
        cls.name = name
        _REGISTRY[name] = cls
        return cls

    return wrap


def _load_all() -> None:
    global _loaded
    if not _loaded:
        package = importlib.import_module("platform_assets.processors.filters")
        for module in pkgutil.iter_modules(package.__path__):
            importlib.import_module(f"{package.__name__}.{module.name}")
        _loaded = True


def names() -> list[str]:
    """Every registered processor name, sorted."""
    _load_all()
    return sorted(_REGISTRY)


def get(name: str) -> type[Filter]:
    _load_all()
    if name not in _REGISTRY:
        raise KeyError(f"unknown processor {name!r}; registered: {', '.join(sorted(_REGISTRY))}")
    return _REGISTRY[name]


def build(name: str, params: dict[str, Any] | None = None) -> Filter:
    """An instance of processor `name` with `params` validated against its fields."""
    return get(name)(**(params or {}))
