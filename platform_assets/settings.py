"""The one place maslow reads the environment: every `MASLOW_*` variable (and `DAGSTER_HOME`) is a field
of `Settings` (pydantic-settings), read afresh by `current()` so a changed environment is seen at once.
Only composition roots call this (definitions, `resources.build_resources`, schedules, the CLI); processors
and resources get what they need as arguments. The variables are documented in the README.
"""

from __future__ import annotations

import functools
import os
from datetime import date
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
SPEC_DIR = REPO_ROOT / "dbt_like_sql"
DEFAULT_START_DATE = "2026-01-01"


class Settings(BaseSettings):
    """`MASLOW_<FIELD>` for each field; an empty variable counts as unset."""

    model_config = SettingsConfigDict(env_prefix="MASLOW_", env_ignore_empty=True, extra="ignore")
    home: Path | None = None
    lake: str | None = None
    landing: Path | None = None
    specs: Path | None = None
    start_date: str | None = None
    timezone: str = "UTC"
    dagster_home: Path | None = Field(None, validation_alias=AliasChoices("DAGSTER_HOME"))
    executor: str = "local"
    workers: int | None = None
    ray_address: str | None = None
    trino_host: str | None = None
    trino_port: int = 8080
    trino_user: str = "maslow"
    trino_catalog: str = "lance"
    trino_schema: str = "default"
    trino_password: str | None = Field(None, repr=False)
    embedder: str = "minilm_v1"
    embedder_device: str = "cpu"
    nightly_cron: str = "0 2 * * *"
    label_studio_url: str = "http://127.0.0.1:8080"
    label_studio_token: str | None = Field(None, repr=False)
    label_studio_password: str | None = Field(None, repr=False)
    label_studio_venv: Path | None = None

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings, dotenv_settings,
                                   file_secret_settings):
        return (env_settings,)  # the environment only: no .env file, no secrets directory


def current() -> Settings:
    """The settings as the environment holds them now (parsed once per distinct set of maslow variables)."""
    return _parsed(tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith(_PREFIXES))))


_PREFIXES = ("MASLOW_", "DAGSTER_HOME")


@functools.lru_cache(maxsize=64)
def _parsed(_variables: tuple[tuple[str, str], ...]) -> Settings:
    return Settings()


def maslow_home() -> Path:
    """`MASLOW_HOME`, default `.maslow/` in the repo root."""
    return (current().home or REPO_ROOT / ".maslow").resolve()


def near_dup_runs_dir() -> Path:
    """The near_dup_index's sorted runs, a cache (`processors/dedup/index_lookup.py`): `MASLOW_HOME/cache/
    near_dup_runs`, shared by the clean stage and the synthetics corpus gate."""
    return maslow_home() / "cache" / "near_dup_runs"


def lake_uri() -> str:
    """Root of the Lance datasets: `MASLOW_LAKE` (a path or an object-store URI), else `MASLOW_HOME/lake`."""
    return current().lake or str(maslow_home() / "lake")


def landing_dir() -> Path:
    """Landing zone `<landing>/<source>/<YYYY-MM-DD>/*`: `MASLOW_LANDING`, else `MASLOW_HOME/landing`."""
    return current().landing or maslow_home() / "landing"


def dagster_home() -> Path:
    return current().dagster_home or maslow_home() / "dagster"


def start_date() -> str:
    """First daily partition: `MASLOW_START_DATE` (YYYY-MM-DD); by default 2026-01-01, or the earliest day
    folder of the landing zone if that is earlier. It never depends on the day the code is loaded, so the
    partitions (and what was materialized in them) stay put."""
    return current().start_date or min([DEFAULT_START_DATE, *landed_days(landing_dir())])


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
    return current().timezone


def label_studio_venv() -> Path:
    """Label Studio's own virtual environment (`make label-studio-install`): `MASLOW_LABEL_STUDIO_VENV`,
    else `.label-studio/venv` in the repo root (never `.venv`: it pins libraries that clash with ours)."""
    return current().label_studio_venv or REPO_ROOT / ".label-studio" / "venv"


def spec_dir() -> Path:
    """Declarative specs (`dbt_like_sql/`); `MASLOW_SPECS` overrides it (tests use their own)."""
    return current().specs or SPEC_DIR


# The LLM resource reads these when it builds a client (late, so run config that sets some fields keeps the
# others): the one exception to "only composition roots read settings", allowed in the import contracts.
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
