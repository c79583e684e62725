"""Where maslow keeps its data, read from the environment (documented in the README)."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SPEC_DIR = REPO_ROOT / "dbt_like_sql"


def maslow_home() -> Path:
    """`MASLOW_HOME`, default `.maslow/` in the repo root."""
    return Path(os.environ.get("MASLOW_HOME") or REPO_ROOT / ".maslow").resolve()


def lake_uri() -> str:
    """Root of the Lance datasets: `MASLOW_LAKE` (a path or an object-store URI), else `MASLOW_HOME/lake`."""
    return os.environ.get("MASLOW_LAKE") or str(maslow_home() / "lake")


def landing_dir() -> Path:
    """Landing zone `<landing>/<source>/<YYYY-MM-DD>/*`: `MASLOW_LANDING`, else `MASLOW_HOME/landing`."""
    return Path(os.environ.get("MASLOW_LANDING") or maslow_home() / "landing")


def dagster_home() -> Path:
    return Path(os.environ.get("DAGSTER_HOME") or maslow_home() / "dagster")


def start_date() -> str:
    """First daily partition: `MASLOW_START_DATE` (YYYY-MM-DD), default 30 days before today."""
    return os.environ.get("MASLOW_START_DATE") or (date.today() - timedelta(days=30)).isoformat()


def spec_dir() -> Path:
    """Declarative specs (`dbt_like_sql/`); `MASLOW_SPECS` overrides it (tests use their own)."""
    return Path(os.environ.get("MASLOW_SPECS") or SPEC_DIR)
