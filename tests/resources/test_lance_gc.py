"""Sweeping: old untagged Lance versions go, recorded ones stay; scratch of dead runs goes; dead runs fail."""

from __future__ import annotations

import subprocess
import time

import dagster as dg
import lance
import pyarrow as pa
import yaml

from platform_assets.cli.dagster_home import ensure_dagster_home
from platform_assets.cli.orphans import HOST_TAG, PID_TAG, fail_orphaned_runs, run_tags
from platform_assets.definitions import defs
from resources import lance_scratch, lance_stage
from resources.lance_gc import collect
from resources.lance_io_manager import LanceIOManager


@dg.asset(io_manager_key="lance_io_manager")
def counts(context) -> pa.Table:
    return pa.table({"n": [len(context.run_id)]})


def test_gc_removes_old_untagged_versions_and_keeps_every_recorded_one(tmp_path):
    io = LanceIOManager(root_uri=str(tmp_path / "lake"))
    with dg.DagsterInstance.ephemeral() as instance:
        for _ in range(3):  # versions 1, 2, 3: recorded and tagged by the IO manager
            assert dg.materialize([counts], instance=instance, resources={"lance_io_manager": io}).success
        uri = io.uri_for(dg.AssetKey("counts"))
        for n in (4, 5):  # written outside Dagster: nobody refers to them
            lance.write_dataset(pa.table({"n": [n]}), uri, mode="overwrite")
        ds = lance.dataset(uri)
        lost = next(name for name, t in ds.tags.list().items() if t["version"] == 2)
        ds.tags.delete(lost)  # a tag lost (say, to a full disk): the materialization still refers to v2
        time.sleep(0.05)
        report = collect(instance, io, [dg.AssetKey("counts")], retention_days=0)
    versions = sorted(v["version"] for v in lance.dataset(uri).versions())
    assert versions == [1, 2, 3, 5]  # 4 removed; 5 is the latest, which cleanup never removes
    assert report["counts"]["tags_restored"] == [2] and report["counts"]["versions_removed"] == 1
    assert lance.dataset(uri, version=2).to_table().num_rows == 1


def test_the_weekly_gc_schedule_exists_and_is_off_by_default():
    schedule = defs.get_schedule_def("lake_gc_weekly")
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED and schedule.job_name == "lake_gc"


def test_scratch_of_dead_and_unknown_old_runs_is_swept(tmp_path):
    lake = str(tmp_path / "lake")
    for run in ("dead", "live", "unknown"):
        lance.write_dataset(pa.table({"n": [1]}), f"{lake}/_scratch/{run}.2026-01-01.kept.lance")
    unfinished = tmp_path / "lake" / "_scratch" / "dead.2026-01-01.rejected.lance" / "data"
    unfinished.mkdir(parents=True)  # killed before its first commit: data files, no manifest
    (unfinished / "part.lance").write_bytes(b"partial")
    alive = {"dead": False, "live": True}
    assert lance_scratch.sweep(lake, alive.get) == ["dead"]  # an unknown run's young scratch stays
    later = time.time() + 2 * lance_scratch.UNKNOWN_RUN_GRACE_S
    assert lance_scratch.sweep(lake, alive.get, now=later) == ["unknown"]
    assert [p.name for p in (tmp_path / "lake" / "_scratch").iterdir()] == ["live.2026-01-01.kept.lance"]
    assert lance_scratch.sweep(str(tmp_path / "no-lake"), alive.get) == []


def test_gc_keeps_every_version_a_stage_log_names(tmp_path):
    io = LanceIOManager(root_uri=str(tmp_path / "lake"))
    uri = io.uri_for(dg.AssetKey("counts"))
    for n in range(4):  # versions 1-4, none recorded by a materialization
        lance.write_dataset(pa.table({"n": [n], "day": ["2026-01-01"]}), uri, mode="overwrite")
        if n == 1:  # version 2 is published by a stage
            lance_stage.StageLog(io.root_uri, "s", ["counts"]).publish()
    time.sleep(0.05)
    with dg.DagsterInstance.ephemeral() as instance:
        report = collect(instance, io, [dg.AssetKey("counts")], retention_days=0)
    assert sorted(v["version"] for v in lance.dataset(uri).versions()) == [2, 4]
    assert report["counts"]["tags_restored"] == [2]
    assert io.open(dg.AssetKey("counts")).version == 2  # readers still see the published set


def test_a_run_whose_process_died_is_marked_failed(tmp_path):
    gone = subprocess.Popen(["true"])
    gone.wait()
    with dg.DagsterInstance.ephemeral() as instance:
        tags = {PID_TAG: str(gone.pid), HOST_TAG: run_tags()[HOST_TAG]}
        dead = instance.add_run(dg.DagsterRun(job_name="x", status=dg.DagsterRunStatus.STARTED, tags=tags))
        mine = instance.add_run(dg.DagsterRun(job_name="x", status=dg.DagsterRunStatus.STARTED,
                                              tags=run_tags()))
        assert fail_orphaned_runs(instance) == [dead.run_id]
        assert instance.get_run_by_id(dead.run_id).status == dg.DagsterRunStatus.FAILURE
        assert instance.get_run_by_id(mine.run_id).status == dg.DagsterRunStatus.STARTED


def test_dagster_home_turns_run_monitoring_on(tmp_path):
    settings = yaml.safe_load((ensure_dagster_home(tmp_path / "home") / "dagster.yaml").read_text())
    assert settings["run_monitoring"]["enabled"] is True
    assert settings["run_monitoring"]["max_resume_run_attempts"] == 0
