"""The clean stage's three outputs are one outcome: a stage that dies between commits is rolled back, and
a version Lance committed is never reported failed (a full disk while tagging it)."""

from __future__ import annotations

import dagster as dg
import pytest

from platform_assets import settings
from platform_assets.clean import clean_checks
from platform_assets.clean.clean_documents import clean_stage
from platform_assets.clean.raw_documents import ingest_raw_documents
from resources import lance_stage, lance_tags
from resources.executor import LocalExecutor
from resources.lance_io_manager import LanceIOManager
from tests.platform_assets.clean.test_doc_ids import articles as articles  # noqa: PLC0414 (the fixture)
from tests.platform_assets.clean.test_doc_ids import land, table

DAY1, DAY2 = "2026-03-01", "2026-03-02"
OUTPUTS = ("clean_documents", "rejected_documents", "near_dup_index")


class Died(Exception):
    """Stands for kill -9 right after a commit (the stage's own rollback is switched off for it)."""


class DyingIO(LanceIOManager):
    die_after: str = ""

    def handle_output(self, context, obj):
        super().handle_output(context, obj)
        if context.asset_key.path[-1] == self.die_after:
            raise Died(f"killed after committing {self.die_after}")


def run(day: str, io: LanceIOManager, checks=()) -> dg.ExecuteInProcessResult:
    return dg.materialize([ingest_raw_documents, clean_stage, *checks], partition_key=day,
                          raise_on_error=False,
                          resources={"lance_io_manager": io, "executor": LocalExecutor(workers=0)})


def ids(key: str, day: str) -> list[str]:
    return sorted(r["doc_id"] for r in table(key, day))


@pytest.mark.parametrize("die_after", ["clean_documents", "rejected_documents"])
def test_a_stage_killed_between_commits_is_rolled_back_at_the_next_start(maslow_home, articles, monkeypatch,
                                                                         die_after):
    land(DAY1, [{"id": i, "text": articles[i]} for i in range(2)] + [{"id": 9, "text": "too short"}])
    io = LanceIOManager(root_uri=settings.lake_uri())
    assert run(DAY1, io).success
    before = {key: ids(key, DAY1) for key in OUTPUTS}
    land(DAY1, [{"id": i, "text": articles[i]} for i in range(5)] + [{"id": 9, "text": "too short"}])
    with monkeypatch.context() as m:  # the process dies: nothing of the stage runs after the commit
        m.setattr(lance_stage.StageJournal, "recover", lambda self, alive=None: [])
        died = run(DAY1, DyingIO(root_uri=settings.lake_uri(), die_after=die_after))
    assert not died.success
    partial = {key: ids(key, DAY1) for key in OUTPUTS}
    assert partial["clean_documents"] != before["clean_documents"]  # one output moved, the others did not
    assert partial["near_dup_index"] == before["near_dup_index"]
    land(DAY2, [{"id": 7, "text": articles[5]}])
    assert run(DAY2, io).success  # the next stage to start puts DAY1 back
    assert {key: ids(key, DAY1) for key in OUTPUTS} == before
    assert not list((maslow_home / "lake" / "_stages" / "clean_stage").glob("*.json"))


def test_a_full_disk_while_tagging_a_committed_version_does_not_fail_it(maslow_home, articles, monkeypatch):
    land(DAY1, [{"id": i, "text": articles[i]} for i in range(3)])

    def no_space(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(lance_tags, "tag_version", no_space)
    result = run(DAY1, LanceIOManager(root_uri=settings.lake_uri()), [clean_checks.clean_counts_add_up])
    assert result.success
    meta = result.asset_materializations_for_node("clean_stage")
    by_key = {m.asset_key.path[-1]: m.metadata for m in meta}
    assert set(by_key) == set(OUTPUTS)
    assert all(m["lance/tag"].value.startswith("not tagged") for m in by_key.values())
    assert all(e.passed for e in result.get_asset_check_evaluations())
    assert len(ids("clean_documents", DAY1)) + len(ids("rejected_documents", DAY1)) == 3
