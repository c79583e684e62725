"""ensure_dagster_home writes a dagster.yaml that Dagster loads, and keeps a user's own settings."""

from __future__ import annotations

import dagster as dg
import pytest
import yaml
from dagster._core.run_coordinator import QueuedRunCoordinator

from platform_assets.cli.dagster_home import INSTANCE_SETTINGS, ensure_dagster_home


def test_fresh_home_loads_with_telemetry_and_nux_off(tmp_path):
    home = ensure_dagster_home(tmp_path / "dagster")

    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert instance.root_directory == str(home)
        assert instance.telemetry_enabled is False
        assert instance.nux_enabled is False
        # the default coordinator stays: `dagster dev` runs the daemon that dequeues runs
        assert isinstance(instance.run_coordinator, QueuedRunCoordinator)


def test_existing_settings_are_kept_and_missing_ones_appended(tmp_path):
    config = tmp_path / "dagster.yaml"
    config.write_text("# ours\ntelemetry:\n  enabled: true\n")

    ensure_dagster_home(tmp_path)
    ensure_dagster_home(tmp_path)  # idempotent

    assert config.read_text().startswith("# ours\n")
    assert yaml.safe_load(config.read_text()) == {**INSTANCE_SETTINGS, "telemetry": {"enabled": True}}


def test_a_non_mapping_dagster_yaml_is_an_error_naming_the_file(tmp_path):
    (tmp_path / "dagster.yaml").write_text("- not\n- a mapping\n")

    with pytest.raises(ValueError, match=r"dagster\.yaml: expected a mapping of settings, got list"):
        ensure_dagster_home(tmp_path)
