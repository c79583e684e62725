"""A real Label Studio on loopback: push a queue, annotate as two users, pull, import, check every field;
then open the pushed task's page in Chromium.

Label Studio lives in its own venv (`make label-studio-install`). Without it these tests skip, unless
MASLOW_REQUIRE_LABEL_STUDIO=1 (CI), then they fail. The server is started once for the module.
"""

from __future__ import annotations

import os
import secrets
import socket
from datetime import datetime
from pathlib import Path

import dagster as dg
import lance
import pytest

from platform_assets.cli import label
from platform_assets.cli import label_studio_server as server
from platform_assets.labeling.human_labels import human_labels
from platform_assets.labeling.labeling_queue import labeling_queue
from platform_assets.processors.labeling import export
from resources.label_studio import LabelStudioResource
from tests.platform_assets.labeling.conftest import QUEUE

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    try:
        server.executable()
    except server.LabelStudioMissing as e:
        if os.environ.get("MASLOW_REQUIRE_LABEL_STUDIO") == "1":
            pytest.fail(f"MASLOW_REQUIRE_LABEL_STUDIO=1 but {e}")
        pytest.skip(str(e))
    folder = tmp_path_factory.mktemp("label_studio")
    port, token, password = free_port(), secrets.token_hex(20), secrets.token_urlsafe(12)
    proc = server.start(folder / "data", port, token, password, log=folder / "server.log")
    url = f"http://127.0.0.1:{port}"
    try:
        try:
            server.wait_ready(url, token, proc)
        except (RuntimeError, TimeoutError) as e:
            pytest.fail(f"{e}\n{(folder / 'server.log').read_text()[-3000:]}")
        yield LabelStudioResource(url=url, token=token), password
    finally:
        server.stop(proc)


def test_push_annotate_as_two_users_pull_and_import(studio, resources, lake, maslow_home):
    ls, _ = studio
    with dg.DagsterInstance.ephemeral() as instance:
        dg.materialize([labeling_queue], partition_key=QUEUE, resources=resources, instance=instance)
        tasks = {t["task_id"]: t for t in label.queue_tasks(QUEUE).to_pylist()}

        project, added = label.push(QUEUE, ls)
        assert added == len(tasks) == 60
        assert project["maximum_annotations"] == 2 and project["model_version"] == "cafe0123456789ab"
        assert '<Choices name="quality"' in project["label_config"]
        again, added = label.push(QUEUE, ls)
        assert (again["id"], added) == (project["id"], 0)
        ids = ls.task_ids(project["id"])
        assert set(ids) == set(tasks)

        bob = ls.add_annotator("bob@maslow.test", secrets.token_urlsafe(12))
        overlap = [t for t in tasks.values() if t["overlap_group"] is not None][:6]
        posted = {}
        for n, task in enumerate(overlap):
            flipped = "low" if task["suggestion_label"] == "high" else "high"
            for who, token, answer in (
                ("admin@maslow.local", None, task["suggestion_label"]),
                ("bob@maslow.test", bob, flipped if n % 3 == 0 else task["suggestion_label"]),
            ):
                ann = ls.annotate(
                    ids[task["task_id"]],
                    [export.result_for("choices", "quality", answer)],
                    token,
                    lead_time=2.0 + n,
                )
                posted[(task["item_id"], who)] = (ann, answer)
        skipped = overlap[0]
        ls.annotate(ids[skipped["task_id"]], [], bob, lead_time=0.5, was_cancelled=True)

        path, count = label.pull(QUEUE, ls)
        assert count == 13 and path.parent == maslow_home / "landing" / "_labels" / QUEUE
        result = dg.materialize(
            [labeling_queue, human_labels],
            selection=[human_labels],
            partition_key=QUEUE,
            resources=resources,
            instance=instance,
        )
        assert result.success

    rows = lance.dataset(f"{lake}/human_labels.lance").to_table().to_pylist()
    assert len(rows) == 13
    for row in rows:
        task = next(t for t in tasks.values() if t["item_id"] == row["item_id"])
        assert row["queue"] == QUEUE and row["task_id"] == task["task_id"] and row["labels_version"] == 1
        assert (row["seen_label"], row["seen_model_version"]) == (
            task["suggestion_label"],
            "cafe0123456789ab",
        )
        assert row["seen_score"] == pytest.approx(task["suggestion_score"])
        assert row["source_file"] == path.name and isinstance(row["imported_at"], datetime)
        if row["cancelled"]:
            assert (row["annotator"], row["answer"], row["lead_time_s"]) == ("bob@maslow.test", None, 0.5)
            continue
        ann, answer = posted[(row["item_id"], row["annotator"])]
        assert row["answer"] == answer and row["lead_time_s"] == pytest.approx(ann["lead_time"])
        assert row["annotation_id"].startswith("ls:")
        assert row["created_at"] == datetime.fromisoformat(ann["created_at"].replace("Z", "+00:00"))
        assert row["updated_at"] == datetime.fromisoformat(ann["updated_at"].replace("Z", "+00:00"))
    assert {r["annotator"] for r in rows} == {"admin@maslow.local", "bob@maslow.test"}


@pytest.mark.browser
def test_browser_opens_the_pushed_task(studio, resources, tmp_path):
    from tests.test_browser import CHROMIUM_FLAGS, chromium_or_skip

    chromium = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    ls, password = studio
    with dg.DagsterInstance.ephemeral() as instance:
        dg.materialize([labeling_queue], partition_key=QUEUE, resources=resources, instance=instance)
    project, _ = label.push(QUEUE, ls)
    # a task nobody annotated (the test above annotates overlap tasks), so the editor offers Submit
    first = next(t for t in label.queue_tasks(QUEUE).to_pylist() if t["overlap_group"] is None)
    task_id = ls.task_ids(project["id"])[first["task_id"]]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_FLAGS)
        page = browser.new_page()
        page.goto(f"{ls.url}/user/login/")
        page.fill("input[name=email]", server.DEFAULT_USER)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_url(lambda u: "/user/login" not in u, timeout=60_000)
        page.goto(f"{ls.url}/projects/{project['id']}/data?task={task_id}")
        page.get_by_text(first["text"][:40]).first.wait_for(timeout=90_000)
        shown = f"{first['suggestion_score'] * 100:.2f}%"  # the prediction's score, as the editor shows it
        page.get_by_text(shown).first.wait_for(timeout=60_000)
        for text in ("high", "low", "Submit"):  # the question's choices and the editor's button
            page.get_by_text(text).first.wait_for(timeout=60_000)
        page.screenshot(path=str(tmp_path / "label_studio_task.png"))
        browser.close()
    assert Path(tmp_path / "label_studio_task.png").stat().st_size > 0
