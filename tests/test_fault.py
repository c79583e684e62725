"""A run killed in the middle of a clean partition, then run again, ends exactly like an uninterrupted run."""

import os
import shutil
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


def _runner(home: Path, day: str, log: Path) -> subprocess.Popen:
    with log.open("w") as out:  # a file, not a pipe: nobody reads a run's output while it runs
        return subprocess.Popen([sys.executable, "-m", "tests.fault_runner", day], cwd=REPO, env=_env(home),
                                start_new_session=True, stdout=out, stderr=subprocess.STDOUT)


def _finished(run: subprocess.Popen, log: Path) -> None:
    assert run.wait(600) == 0, log.read_text()[-3000:]


def _rows(home: Path, asset: str, day: str):
    table = lance.dataset(str(home / "lake" / f"{asset}.lance")).to_table(filter=f"day = '{day}'")
    return table.sort_by([(c, "ascending") for c in ("doc_id", "source_id") if c in table.column_names])


def test_killed_clean_run_then_rerun_equals_an_uninterrupted_run(tmp_path):
    homes = {name: tmp_path / name for name in ("steady", "killed")}
    generate(homes["steady"] / "landing", 1, 7, docs_per_day=3000)
    shutil.copytree(homes["steady"] / "landing", homes["killed"] / "landing")  # the same bytes
    day = load_truth(homes["steady"] / "landing", 7)["days"][0]

    # The uninterrupted run goes on beside the killed one and its rerun (it touches none of their files):
    # the suite runs one test at a time, so the second core is otherwise idle.
    steady = _runner(homes["steady"], day, tmp_path / "steady.log")
    victim = _runner(homes["killed"], day, tmp_path / "victim.log")
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
    left = {asset: lance.dataset(str(path)).count_rows(f"day = '{day}'")
            for asset in OUTPUTS if (path := homes["killed"] / "lake" / f"{asset}.lance").exists()}

    rerun = _runner(homes["killed"], day, tmp_path / "rerun.log")
    _finished(steady, tmp_path / "steady.log")
    for asset, rows in left.items():  # each output held the day completely or not at all, never a part of it
        assert rows in (0, _rows(homes["steady"], asset, day).num_rows), asset
    _finished(rerun, tmp_path / "rerun.log")
    for asset in OUTPUTS:
        expected, got = _rows(homes["steady"], asset, day), _rows(homes["killed"], asset, day)
        assert got.num_rows == expected.num_rows > 0, asset
        assert got.equals(expected), asset
    ids = _rows(homes["killed"], "clean_documents", day).column("doc_id")
    assert len(ids.unique()) == len(ids)
