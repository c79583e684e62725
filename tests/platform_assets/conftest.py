"""Fixtures shared by the asset tests of several levels (clean, media)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def at_home(home: Path) -> Iterator[Path]:
    """MASLOW_HOME set to `home` (its default lake and landing folders) while the block runs."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MASLOW_HOME", str(home))
        for var in ("MASLOW_LAKE", "MASLOW_LANDING"):
            mp.delenv(var, raising=False)
        yield home


@pytest.fixture(scope="module")
def module_home(tmp_path_factory):
    """One MASLOW_HOME for a whole test module, for a lake built once and read by each of its tests
    (the per-test `maslow_home` is tests/conftest.py's)."""
    with at_home(tmp_path_factory.mktemp("maslow")) as home:
        yield home
