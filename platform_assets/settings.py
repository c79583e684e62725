"""Where maslow keeps its data, read from the environment (documented in the README)."""

from __future__ import annotations

import os
from datetime import date
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


DEFAULT_START_DATE = "2026-01-01"


def start_date() -> str:
    """First daily partition: `MASLOW_START_DATE` (YYYY-MM-DD); by default 2026-01-01, or the earliest day
    folder of the landing zone if that is earlier. It never depends on the day the code is loaded, so the
    partitions (and what was materialized in them) stay put."""
    return os.environ.get("MASLOW_START_DATE") or min([DEFAULT_START_DATE, *landed_days(landing_dir())])


def landed_days(landing: Path) -> list[str]:
    """The `YYYY-MM-DD` folder names under `<landing>/<source>/` (`_` and `.` folders skipped), sorted."""
    if not landing.is_dir():
        return []
    days = {d.name for d in landing.glob("*/*") if d.is_dir() and _is_day(d.name)
            and not d.parent.name.startswith(("_", "."))}
    return sorted(days)


def _is_day(name: str) -> bool:
    try:
        return date.fromisoformat(name).isoformat() == name
    except ValueError:
        return False


def timezone() -> str:
    """`MASLOW_TIMEZONE` (an IANA name, default UTC): where a day starts, for the daily partitions and the
    nightly refresh alike."""
    return os.environ.get("MASLOW_TIMEZONE") or "UTC"


def spec_dir() -> Path:
    """Declarative specs (`dbt_like_sql/`); `MASLOW_SPECS` overrides it (tests use their own)."""
    return Path(os.environ.get("MASLOW_SPECS") or SPEC_DIR)


LLM_ENV = {
    "base_url": "MASLOW_LLM_URL", "model": "MASLOW_LLM_MODEL", "api_key": "MASLOW_LLM_API_KEY",
    "timeout_s": "MASLOW_LLM_TIMEOUT_S", "max_retries": "MASLOW_LLM_MAX_RETRIES",
    "request_deadline_s": "MASLOW_LLM_REQUEST_DEADLINE_S", "run_deadline_s": "MASLOW_LLM_RUN_DEADLINE_S",
    "max_error_share": "MASLOW_LLM_MAX_ERROR_SHARE",
}


def llm_settings() -> dict[str, str]:
    """The LLM endpoint's settings from `MASLOW_LLM_*` (see LLM_ENV), by setting name; unset ones left out.

    Read when a client is built, so run config that sets some fields never loses the others."""
    return {name: os.environ[var] for name, var in LLM_ENV.items() if os.environ.get(var)}
