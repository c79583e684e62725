"""Every guide in docs/guides/ works as written: its ```shell blocks run literally, in order, in one bash
session (`set -euo pipefail`), as a new user would run them from a checkout after `make venv`.

The checkout is a temporary directory holding a copy of dbt_like_sql/ (MASLOW_SPECS points there, so the
guides' edits never touch the repository), with its own MASLOW_HOME and `.venv/bin` first on PATH.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
GUIDES = REPO / "docs" / "guides"
SHELL_BLOCK = re.compile(r"^```shell\n(.*?)^```", re.S | re.M)


def shell_blocks(guide: Path) -> list[str]:
    return SHELL_BLOCK.findall(guide.read_text())


def test_every_guide_is_listed_and_has_commands():
    guides = sorted(p.name for p in GUIDES.glob("*.md") if p.name != "README.md")
    index = (GUIDES / "README.md").read_text()
    assert guides and all(f"({name})" in index for name in guides)
    assert all(shell_blocks(GUIDES / name) for name in guides)


@pytest.mark.slow
@pytest.mark.parametrize("guide", sorted(p.name for p in GUIDES.glob("*.md") if p.name != "README.md"))
def test_guide_runs_as_written(guide, tmp_path):
    checkout = tmp_path / "checkout"
    shutil.copytree(REPO / "dbt_like_sql", checkout / "dbt_like_sql")
    script = "set -euo pipefail\n" + "\n".join(shell_blocks(GUIDES / guide))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MASLOW_", "DAGSTER_"))}
    env |= {"MASLOW_HOME": str(tmp_path / "home"), "MASLOW_SPECS": str(checkout / "dbt_like_sql"),
            "MASLOW_START_DATE": "2026-01-01", "PATH": f"{Path(sys.executable).parent}:{env['PATH']}"}
    done = subprocess.run(["bash", "-c", script], cwd=checkout, env=env, capture_output=True, text=True,
                          timeout=900)
    assert done.returncode == 0, f"{guide} failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    assert "Traceback" not in done.stdout + done.stderr
