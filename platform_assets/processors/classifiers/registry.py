"""Classifier registry: `@register("name_vN")` on the class; every module in this folder is imported once.

A new classifier is one new file. A name is taken for good: registering a different class under an existing
name is an error, so changing behaviour means a new `_vN`.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from platform_assets.processors.classifiers.base import Classifier

_REGISTRY: dict[str, type[Classifier]] = {}
_loaded = False


def register(name: str) -> Callable[[type[Classifier]], type[Classifier]]:
    if not name.rsplit("_v", 1)[-1].isdigit():
        raise ValueError(f"classifier name {name!r} must end in _v<N>")

    def add(cls: type[Classifier]) -> type[Classifier]:
        known = _REGISTRY.get(name)
        if known is not None and known.__qualname__ != cls.__qualname__:
            raise ValueError(f"classifier {name!r} is already registered to {known.__qualname__}")
        cls.name = name
        _REGISTRY[name] = cls
        return cls

    return add


def _load_all() -> None:
    global _loaded
    if _loaded:
        return
    package = __name__.rsplit(".", 1)[0]
    for info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if not info.name.startswith("_"):
            importlib.import_module(f"{package}.{info.name}")
    _loaded = True


def names() -> list[str]:
    _load_all()
    return sorted(_REGISTRY)


def classifier_class(name: str) -> type[Classifier]:
    _load_all()
    if name not in _REGISTRY:
        raise KeyError(f"unknown classifier {name!r}; registered: {', '.join(sorted(_REGISTRY))}")
    return _REGISTRY[name]


def build(name: str, params: dict[str, Any] | None = None, **needs: Any) -> Classifier:
    """An instance of `name` with validated `params`; `needs` supplies what the class declares it needs."""
    cls = classifier_class(name)
    missing = [n for n in cls.needs if n not in needs]
    if missing:
        raise ValueError(f"classifier {name!r} needs {missing}")
    return cls(**(params or {}), **{n: needs[n] for n in cls.needs})
