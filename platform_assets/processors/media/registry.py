"""Media filter registry: `@register("name_vN")` on a MediaFilter class; every module in `filters/` is
imported on first use, so a new media filter is one file there (a `Registry`, processors/registry.py)."""

from __future__ import annotations

from typing import Any

from platform_assets.processors.media.filters.base import MediaFilter
from platform_assets.processors.registry import Registry

MEDIA_FILTERS: Registry[MediaFilter] = Registry("platform_assets.processors.media.filters", "media filter")
register, names, get = MEDIA_FILTERS.register, MEDIA_FILTERS.names, MEDIA_FILTERS.get


def build(name: str, params: dict[str, Any] | None = None) -> MediaFilter:
    return get(name)(**(params or {}))
