"""Shared fixtures: every test gets its own MASLOW_HOME, so nothing touches the developer's lake."""

from __future__ import annotations

import importlib
import os
import shutil
import tempfile
from pathlib import Path

import pytest


@pytest.fixture
def maslow_home(tmp_path, monkeypatch):
    return _home(tmp_path / "maslow", monkeypatch)


@pytest.fixture
def disk_tmp_path():
    """A temporary folder on a block device (under /var/tmp), for a test that measures reads from disk:
    `make test` puts tmp_path on /dev/shm, a tmpfs, where an evicted file is still read from memory."""
    disk = "/var/tmp" if os.path.isdir("/var/tmp") else None
    path = Path(tempfile.mkdtemp(prefix="maslow-test-", dir=disk))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def disk_maslow_home(disk_tmp_path, monkeypatch):
    """`maslow_home` in `disk_tmp_path`."""
    return _home(disk_tmp_path / "maslow", monkeypatch)


def _home(home: Path, monkeypatch) -> Path:
    for sub in ("lake", "landing", "dagster"):
        (home / sub).mkdir(parents=True)
    monkeypatch.setenv("MASLOW_HOME", str(home))
    monkeypatch.delenv("MASLOW_LAKE", raising=False)
    monkeypatch.delenv("MASLOW_LANDING", raising=False)
    monkeypatch.setenv("DAGSTER_HOME", str(home / "dagster"))
    return home


@pytest.fixture(autouse=True)
def _no_leaked_dagster_instance():
    """Fails the test that leaves a Dagster instance it opened still current in this process.

    An instance opened by a context (a schedule context's `.instance`) and closed after the
    instance it came from leaves Dagster's current state storage pointing at a disposed instance;
    every later `materialize` in the process then fails to load its definitions. An instance
    held by a wider fixture (module scope) is current before the test and stays so: that is fine.
    """
    from dagster._core.storage.defs_state import base

    before = base.DefsStateStorage.get()
    yield
    after = base.DefsStateStorage.get()
    if after is not before:
        base._current_storage.set(before)  # so the tests after this one are not affected
        pytest.fail(f"the test left a Dagster instance's state storage current: {after!r}")


def require(module: str, flag: str):
    """The module, or a skip: a failure instead where CI set `flag`=1 (a part it installs must run)."""
    if os.environ.get(flag) == "1":
        return importlib.import_module(module)
    return pytest.importorskip(module)


@pytest.fixture(scope="module")
def ray_cluster(tmp_path_factory):
    """One local Ray cluster (2 CPUs, a 256 MB object store that spills to disk) for a module's Ray tests:
    starting one costs seconds, and an idle one left up for the rest of the session takes CPU from every
    later test. Tests that need another shape start theirs in a subprocess."""
    ray = require("ray", "MASLOW_REQUIRE_RAY")
    if ray.is_initialized():
        yield ray
        return
    for attempt in (1, 2):  # a raylet waits 15 s for its agents: on a saturated machine that can lapse
        try:
            ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, object_store_memory=256 << 20,
                     _temp_dir=str(tmp_path_factory.mktemp("ray")))
            break
        except Exception:
            ray.shutdown()
            if attempt == 2:
                raise
    try:
        yield ray
    finally:
        ray.shutdown()
