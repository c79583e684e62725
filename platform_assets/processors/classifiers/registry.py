"""Classifier registry: `@register("name_vN")` on the class; every module in this folder is imported once.

A new classifier is one new file. A name is taken for good: registering a different class under an existing
name is an error, so changing behaviour means a new `_vN` (the one name rule of `processors/registry.py`).
"""

from __future__ import annotations

from typing import Any

from platform_assets.processors.classifiers.base import Classifier
from platform_assets.processors.registry import Registry

CLASSIFIERS: Registry[Classifier] = Registry("platform_assets.processors.classifiers", "classifier")
register, names, classifier_class = CLASSIFIERS.register, CLASSIFIERS.names, CLASSIFIERS.get


def build(name: str, params: dict[str, Any] | None = None, **needs: Any) -> Classifier:
    """An instance of `name` with validated `params`; `needs` supplies what the class declares it needs."""
    cls = classifier_class(name)
    missing = [n for n in cls.needs if n not in needs]
    if missing:
        raise ValueError(f"classifier {name!r} needs {missing}")
    return cls(**(params or {}), **{n: needs[n] for n in cls.needs})
