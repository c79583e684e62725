"""The clean stage's three outputs are one outcome: readers see only sets published together, a run that died
between commits is settled by the next one, and a version Lance committed is never reported failed."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from platform_assets import settings
from platform_assets.clean import clean_checks
from platform_assets.clean.clean_documents import clean_stage
from platform_assets.clean.raw_documents import ingest_raw_documents
from platform_assets.cli.dagster_home import ensure_dagster_home
from platform_assets.cli.orphans import fail_orphaned_runs
from resources import lance_datasets, lance_stage, lance_tags
from resources.duckdb_engine import DuckDBEngine
from resources.executor import LocalExecutor
from resources.lance_io_manager import LanceIOManager
from tests.platform_assets.clean.test_doc_ids import articles as articles  # noqa: PLC0414 (the fixture)
from tests.platform_assets.clean.test_doc_ids import land

DAY1, DAY2, DAY3 = "2026-03-01", "2026-03-02", "2026-03-03"
OUTPUTS = ("clean_documents", "rejected_documents", "near_dup_index")
REPO = Path(__file__).resolve().parents[3]


def run(day: str, instance, io: LanceIOManager | None = None, checks=()) -> dg.ExecuteInProcessResult:
    io = io or LanceIOManager(root_uri=settings.lake_uri())
    return dg.materialize([ingest_raw_documents, clean_stage, *checks], partition_key=day, instance=instance,
                          raise_on_error=False,
                          resources={"lance_io_manager": io, "executor": LocalExecutor(workers=0)})


def seen(day: str) -> dict[str, list[str]]:
    """What readers see of `day`: doc_ids per output by the IO manager, checked against the SQL engine."""
    io, engine = LanceIOManager(root_uri=settings.lake_uri()), DuckDBEngine(root_uri=settings.lake_uri())
    out = {}
    for key in OUTPUTS:
        ds = io.open(dg.AssetKey(key))
        out[key] = [] if ds is None else sorted(ds.to_table(columns=["doc_id"], filter=f"day = '{day}'")
                                                .column(0).to_pylist())
        versions = engine.current_versions([key])
        assert versions.get(key) == (None if ds is None else ds.version)
    assert out["clean_documents"] == out["near_dup_index"]
    return out


def raw_ids(day: str) -> list[str]:
    ds = LanceIOManager(root_uri=settings.lake_uri()).open(dg.AssetKey("raw_documents"))
    return sorted(ds.to_table(columns=["doc_id"], filter=f"day = '{day}'").column(0).to_pylist())


def covers(out: dict[str, list[str]], raw: list[str]) -> bool:
    """Every raw row of the day is in exactly one of clean and rejected."""
    return sorted(out["clean_documents"] + out["rejected_documents"]) == raw


@pytest.mark.parametrize("die_after", OUTPUTS)
def test_readers_see_the_previous_set_after_a_kill_9_between_commits(maslow_home, articles, die_after):
    ensure_dagster_home(settings.dagster_home())
    land(DAY1, [{"id": i, "text": articles[i]} for i in range(2)] + [{"id": 9, "text": "too short"}])
    with dg.DagsterInstance.get() as instance:
        assert run(DAY1, instance).success
    before = seen(DAY1)
    assert covers(before, raw_ids(DAY1))
    land(DAY1, [{"id": i, "text": articles[i]} for i in range(4)] + [{"id": 9, "text": "too short"}])
    killed = subprocess.run([sys.executable, "-m", "tests.fault_runner", DAY1, "--die-after", die_after],
                            cwd=REPO, capture_output=True, timeout=300)
    assert killed.returncode == -signal.SIGKILL, killed.stdout[-2000:]
    latest = lance_datasets.open_dataset(f"{settings.lake_uri()}/clean_documents.lance")
    assert latest.count_rows(f"day = '{DAY1}'") > len(before["clean_documents"])  # committed, not visible
    assert seen(DAY1) == before
    land(DAY2, [{"id": 7, "text": articles[5]}])
    with dg.DagsterInstance.get() as instance:
        assert len(fail_orphaned_runs(instance)) == 1  # as the `maslow` runner does before it starts
        assert run(DAY2, instance).success  # settles DAY1: forward if all three were committed, else back
    after = seen(DAY1)
    if die_after == "near_dup_index":
        assert len(after["clean_documents"]) == 4 and covers(after, raw_ids(DAY1))
    else:
        assert after == before
    assert len(seen(DAY2)["clean_documents"]) == 1


@pytest.fixture
def instance(maslow_home):
    with dg.DagsterInstance.ephemeral() as it:
        yield it


def test_a_full_disk_after_the_commits_is_reported_once_and_published_later(maslow_home, articles, instance,
                                                                             monkeypatch):
    land(DAY1, [{"id": i, "text": articles[i]} for i in range(2)])
    assert run(DAY1, instance).success
    land(DAY2, [{"id": i, "text": articles[i + 2]} for i in range(3)] + [{"id": 9, "text": "too short"}])
    append = lance_stage.StageLog._append

    def no_space(self, run_id, day, event, *rest):
        if event in ("end", "publish"):
            raise OSError(28, "No space left on device")
        return append(self, run_id, day, event, *rest)

    def no_tag(*_args):
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as m:
        m.setattr(lance_stage.StageLog, "_append", no_space)
        m.setattr(lance_tags, "tag_version", no_tag)
        result = run(DAY2, instance, checks=[clean_checks.clean_counts_add_up])
    assert result.success  # Lance committed all three: nothing is reported failed
    meta = {m.asset_key.path[-1]: m.metadata for m in result.asset_materializations_for_node("clean_stage")}
    assert set(meta) == set(OUTPUTS)
    assert all(m["lance/tag"].value.startswith("not tagged") for m in meta.values())
    assert seen(DAY2) == {key: [] for key in OUTPUTS}  # committed, not yet published: readers see DAY1's set
    land(DAY3, [{"id": 8, "text": articles[5]}])
    assert run(DAY3, instance).success  # the next clean stage publishes DAY2's committed set
    assert len(seen(DAY2)["clean_documents"]) == 3 and covers(seen(DAY2), raw_ids(DAY2))
    versions = lance_stage.visible_versions(settings.lake_uri())
    assert all(versions[key] >= meta[key]["lance/version"].value for key in OUTPUTS)
