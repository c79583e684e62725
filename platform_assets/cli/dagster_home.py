"""A working DAGSTER_HOME (by default `$MASLOW_HOME/dagster`) for `make ui`, `make demo` and the tests.

The instance keeps Dagster's defaults (SQLite storage under DAGSTER_HOME, the queued run coordinator,
whose queue the daemon that `dagster dev` starts works off), turns on run monitoring (a run whose worker
died is marked failed) and turns off what phones home or nags: telemetry, and the "Join the Dagster
community" dialog (`nux`).
"""

from __future__ import annotations

from pathlib import Path

import yaml

INSTANCE_SETTINGS: dict = {
    "telemetry": {"enabled": False},
    "nux": {"enabled": False},
    # the daemon marks a run failed when its run worker died (the default launcher cannot resume one)
    "run_monitoring": {"enabled": True, "start_timeout_seconds": 180, "cancel_timeout_seconds": 180,
                       "max_resume_run_attempts": 0, "poll_interval_seconds": 60},
}
_HEADER = "# Written by platform_assets.cli.dagster_home.ensure_dagster_home; edits are kept.\n"


def ensure_dagster_home(path: Path) -> Path:
    """Create `path` with a `dagster.yaml` holding `INSTANCE_SETTINGS`, and return it (absolute).

    An existing `dagster.yaml` (e.g. one pointing storage at Postgres) is kept: only the keys of
    `INSTANCE_SETTINGS` it lacks are added.

    Args:
        path: the directory to use as DAGSTER_HOME.

    Raises:
        ValueError: the existing `dagster.yaml` is not a YAML mapping (the message names the file).
    """
    home = Path(path).expanduser().resolve()
    home.mkdir(parents=True, exist_ok=True)
    config_file = home / "dagster.yaml"
    current = yaml.safe_load(config_file.read_text()) if config_file.exists() else {}
    if current is None:
        current = {}
    if not isinstance(current, dict):
        raise ValueError(f"{config_file}: expected a mapping of settings, got {type(current).__name__}")
    missing = {k: v for k, v in INSTANCE_SETTINGS.items() if k not in current}
    if not config_file.exists():
        config_file.write_text(_HEADER + yaml.safe_dump(missing, sort_keys=False))
    elif missing:  # append, so the user's comments and layout survive
        text = config_file.read_text()
        config_file.write_text(text + ("" if text.endswith("\n") or not text else "\n")
                               + yaml.safe_dump(missing, sort_keys=False))
    return home


if __name__ == "__main__":  # `python -m platform_assets.cli.dagster_home`: prepare DAGSTER_HOME (make ui)
    from platform_assets.settings import dagster_home

    print(ensure_dagster_home(dagster_home()))
