"""The Definitions load, and the asset graph matches tests/snapshots/asset_graph.json, so graph changes show
in review.

The snapshot is taken in a fresh interpreter with a fixed environment (no MASLOW_SPECS or MASLOW_TIMEZONE, a
fixed MASLOW_START_DATE), so neither the day the suite runs nor modules other tests imported first change it.
Regenerate it after an intended graph change:

    MASLOW_UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/test_definitions.py
"""

from __future__ import annotations

import difflib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SNAPSHOT = Path(__file__).parent / "snapshots" / "asset_graph.json"
START_DATE = "2026-01-01"  # pinned: by default an earlier landed day would move the first partition
_CLEARED = ("MASLOW_SPECS", "MASLOW_LAKE", "MASLOW_LANDING", "MASLOW_START_DATE", "MASLOW_TIMEZONE",
            "DAGSTER_HOME")


def asset_graph_snapshot() -> dict:
    """Per asset: group, deps (with partition mappings), partitions, kinds, checks, IO manager key."""
    import dagster as dg

    from platform_assets.definitions import defs

    dg.Definitions.validate_loadable(defs)
    graph = defs.resolve_asset_graph()
    assets = {}
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        part = node.partitions_def
        assets[key.to_user_string()] = {
            "group": node.group_name,
            "deps": {
                parent.to_user_string(): _mapping(graph.get_partition_mapping(key, parent))
                for parent in sorted(node.parent_keys, key=lambda k: k.to_user_string())
            },
            "partitions": None if part is None else f"{type(part).__name__}: {part}".strip(),
            "kinds": sorted(node.kinds),
            "checks": sorted(check.name for check in node.check_keys),
            "io_manager_key": (
                graph.assets_def_for_key(key).get_io_manager_key_for_asset_key(key)
                if node.is_materializable else None
            ),
        }
    return {"asset_count": len(assets), "assets": assets}


def _mapping(mapping: object) -> str | None:
    return None if mapping is None else repr(mapping)


def _snapshot_in_subprocess(tmp_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in _CLEARED}
    env |= {"MASLOW_HOME": str(tmp_path), "DAGSTER_HOME": str(tmp_path), "MASLOW_START_DATE": START_DATE}
    out = tmp_path / "asset_graph.json"  # a file, not stdout: imported modules may print
    done = subprocess.run([sys.executable, "-m", "tests.test_definitions", str(out)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        pytest.fail(f"platform_assets.definitions did not load:\n{done.stderr[-6000:]}", pytrace=False)
    return json.loads(out.read_text())


def _dump(snapshot: dict) -> str:
    return json.dumps(snapshot, indent=2, sort_keys=True) + "\n"


def test_asset_graph_matches_snapshot(tmp_path):
    current = _dump(_snapshot_in_subprocess(tmp_path))
    if os.environ.get("MASLOW_UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
        SNAPSHOT.write_text(current)
    if not SNAPSHOT.exists():
        pytest.fail(f"{SNAPSHOT} is missing; create it with MASLOW_UPDATE_SNAPSHOTS=1", pytrace=False)
    committed = SNAPSHOT.read_text()
    if current != committed:
        diff = difflib.unified_diff(committed.splitlines(keepends=True), current.splitlines(keepends=True),
                                    fromfile="tests/snapshots/asset_graph.json", tofile="current graph")
        pytest.fail("the asset graph changed; if intended, rerun with MASLOW_UPDATE_SNAPSHOTS=1 and commit "
                    "the snapshot:\n" + "".join(diff), pytrace=False)


if __name__ == "__main__":  # python -m tests.test_definitions OUT.json
    Path(sys.argv[1]).write_text(_dump(asset_graph_snapshot()))


def test_build_defs_binds_resources_to_the_current_environment(tmp_path, monkeypatch):
    """A CLI command in a process that imported `definitions` under another MASLOW_HOME writes to its own lake
    (the module-level `defs` keep the first importer's: backfill once wrote to an earlier test's lake)."""
    from platform_assets.definitions import build_defs

    for home in (tmp_path / "a", tmp_path / "b"):
        monkeypatch.setenv("MASLOW_HOME", str(home))
        monkeypatch.delenv("MASLOW_LAKE", raising=False)
        bound = build_defs().resources
        assert bound["lance_io_manager"].root_uri == bound["sql_engine"].root_uri == str(home / "lake")
