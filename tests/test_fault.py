"""A run killed in the middle of a clean partition, then run again, ends exactly like an uninterrupted run."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import lance
import pytest

from platform_assets.cli.demo_data import generate, load_truth

pytestmark = [pytest.mark.slow, pytest.mark.integration]
OUTPUTS = ["raw_documents", "clean_documents", "rejected_documents", "near_dup_index"]
REPO = Path(__file__).resolve().parent.parent


def _env(home: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MASLOW_", "DAGSTER_"))}
    return {**env, "MASLOW_HOME": str(home), "DAGSTER_HOME": str(home / "dagster")}


def _runner(home: Path, day: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tests.fault_runner", day], cwd=REPO, env=_env(home),
                            start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _rows(home: Path, asset: str, day: str):
    table = lance.dataset(str(home / "lake" / f"{asset}.lance")).to_table(filter=f"day = '{day}'")
    return table.sort_by([(c, "ascending") for c in ("doc_id", "source_id") if c in table.column_names])


def test_killed_clean_run_then_rerun_equals_an_uninterrupted_run(tmp_path):
    homes = {name: tmp_path / name for name in ("steady", "killed")}
    for home in homes.values():
        generate(home / "landing", 1, 7, docs_per_day=3000)
    day = load_truth(homes["steady"] / "landing", 7)["days"][0]

    steady = _runner(homes["steady"], day)
    assert steady.wait(600) == 0, steady.stdout.read().decode()[-3000:]

    victim = _runner(homes["killed"], day)
    raw = homes["killed"] / "lake" / "raw_documents.lance"
    deadline = time.time() + 300
    while time.time() < deadline and not (raw.exists() and lance.dataset(str(raw)).count_rows() > 0):
        assert victim.poll() is None, "the run ended before the clean stage started"
        time.sleep(0.05)
    time.sleep(1.5)  # ingestion committed; the clean stage is filtering and spooling
    assert victim.poll() is None, "the clean stage finished before it could be killed"
    os.killpg(victim.pid, signal.SIGKILL)
    victim.wait()
    clean = homes["killed"] / "lake" / "clean_documents.lance"
    assert not clean.exists() or lance.dataset(str(clean)).count_rows(f"day = '{day}'") == 0, \
        "the kill landed after the clean stage committed"
    for asset in OUTPUTS:  # each output holds the day completely or not at all, never a part of it
        path = homes["killed"] / "lake" / f"{asset}.lance"
        if path.exists():
            assert lance.dataset(str(path)).count_rows(f"day = '{day}'") in (
                0, _rows(homes["steady"], asset, day).num_rows), asset

    rerun = _runner(homes["killed"], day)
    assert rerun.wait(600) == 0, rerun.stdout.read().decode()[-3000:]
    for asset in OUTPUTS:
        expected, got = _rows(homes["steady"], asset, day), _rows(homes["killed"], asset, day)
        assert got.num_rows == expected.num_rows > 0, asset
        assert got.equals(expected), asset
    ids = _rows(homes["killed"], "clean_documents", day).column("doc_id")
    assert len(ids.unique()) == len(ids)
