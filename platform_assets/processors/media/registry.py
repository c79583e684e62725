"""Media filter registry: `@register("name_vN")` on a MediaFilter class; every module in `filters/` is
imported on first use, so a new media filter is one file there (as for text filters and classifiers)."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

from platform_assets.processors.media.filters.base import MediaFilter

_REGISTRY: dict[str, type[MediaFilter]] = {}
_loaded = False


def register(name: str):
    if not name.rsplit("_v", 1)[-1].isdigit():
        raise ValueError(f"media filter name {name!r} must end in _v<N>")

    def add(cls: type[MediaFilter]) -> type[MediaFilter]:
        known = _REGISTRY.get(name)
        if known is not None and known.__qualname__ != cls.__qualname__:
            raise ValueError(f"media filter {name!r} is already registered to {known.__qualname__}")
        cls.name = name
        _REGISTRY[name] = cls
        return cls

    return add


def _load_all() -> None:
    global _loaded
    if not _loaded:
        package = importlib.import_module("platform_assets.processors.media.filters")
        for info in pkgutil.iter_modules(package.__path__):
            if info.name != "base":
                importlib.import_module(f"{package.__name__}.{info.name}")
        _loaded = True


def names() -> list[str]:
    _load_all()
    return sorted(_REGISTRY)


def get(name: str) -> type[MediaFilter]:
    _load_all()
    if name not in _REGISTRY:
        raise KeyError(f"unknown media filter {name!r}; registered: {', '.join(sorted(_REGISTRY))}")
    return _REGISTRY[name]


def build(name: str, params: dict[str, Any] | None = None) -> MediaFilter:
    return get(name)(**(params or {}))
