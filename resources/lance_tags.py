"""Lance versions kept by tags: a recorded version is tagged, and cleanup removes only untagged ones."""

from __future__ import annotations

import re
from datetime import timedelta

_TAG_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def tag_name(*parts: str) -> str:
    return "-".join(_TAG_UNSAFE.sub("_", p) for p in parts if p)[:200]


def tag_version(ds, tag: str, version: int) -> str:
    """Pins `version` under `tag` so `cleanup` never removes it (idempotent)."""
    tags = ds.tags.list()
    if tag in tags:
        if tags[tag]["version"] != version:
            ds.tags.update(tag, version)
    else:
        ds.tags.create(tag, version)
    return tag


def cleanup(ds, older_than_seconds: float = 14 * 86400):
    """Removes untagged versions older than the window; tagged (recorded) versions always stay."""
    return ds.cleanup_old_versions(
        older_than=timedelta(seconds=older_than_seconds), error_if_tagged_old_versions=False
    )
