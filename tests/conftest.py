"""Shared fixtures: every test gets its own MASLOW_HOME, so nothing touches the developer's lake."""

from __future__ import annotations

import pytest


@pytest.fixture
def maslow_home(tmp_path, monkeypatch):
    home = tmp_path / "maslow"
    for sub in ("lake", "landing", "dagster"):
        (home / sub).mkdir(parents=True)
    monkeypatch.setenv("MASLOW_HOME", str(home))
    monkeypatch.delenv("MASLOW_LAKE", raising=False)
    monkeypatch.delenv("MASLOW_LANDING", raising=False)
    monkeypatch.setenv("DAGSTER_HOME", str(home / "dagster"))
    return home
