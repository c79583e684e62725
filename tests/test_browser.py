"""Issue 2 item 9: materialize one partition of `raw_documents` by clicking in the Dagster UI.

Starts `dagster dev` on a free port with MASLOW_HOME and DAGSTER_HOME in a temp dir, drives Debian's
chromium through Playwright (never `playwright install`), waits until the run succeeds, checks the Lance
dataset holds that day's rows, and stops the server with SIGINT to its process group, checking that no
child survives. Without chromium the test skips, unless MASLOW_REQUIRE_BROWSER=1 (CI), then it fails.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import lance
import psutil
import pyarrow.compute as pc
import pytest

from platform_assets.cli.dagster_home import ensure_dagster_home

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.slow]

REPO = Path(__file__).resolve().parent.parent
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
RECORDS = [{"id": f"ui-{i}", "text": f"Browser test record number {i}, long enough to be a document."}
           for i in range(3)]
UI_TIMEOUT_MS = 60_000
RUN_TIMEOUT_S = 240


def chromium_or_skip() -> str:
    path = shutil.which("chromium")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        path = None
    if path is None:
        if os.environ.get("MASLOW_REQUIRE_BROWSER") == "1":
            pytest.fail("MASLOW_REQUIRE_BROWSER=1 but chromium (or playwright) is missing; "
                        "apt-get install -y chromium")
        pytest.skip("chromium not installed (apt-get install -y chromium)")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def land(landing: Path, days: list[str]) -> None:
    """Three default-shape records per day; the last days, as 'Latest' may cross midnight during the test."""
    for day in days:
        folder = landing / "browser_test" / day
        folder.mkdir(parents=True)
        (folder / "part-0.jsonl").write_text("".join(json.dumps(r) + "\n" for r in RECORDS))


def graphql(base: str, query: str, **variables) -> dict:
    reply = httpx.post(f"{base}/graphql", json={"query": query, "variables": variables}, timeout=30)
    reply.raise_for_status()
    return reply.json()["data"]


SENSORS = """{ sensorsOrError(repositorySelector: {repositoryLocationName: "maslow",
  repositoryName: "__repository__"}) { ... on Sensors { results { id name sensorState { status } } } } }"""
STOP_SENSOR = """mutation($id: String) { stopSensor(id: $id) { __typename
  ... on StopSensorMutationResult { instigationState { status } } ... on PythonError { message } } }"""
LOCATIONS = """{ workspaceOrError { ... on Workspace { locationEntries { name loadStatus
  locationOrLoadError { __typename ... on PythonError { message } } } } } }"""
RUNS = "{ runsOrError(limit: 10) { ... on Runs { results { runId status tags { key value } } } } }"


def wait_until_loaded(base: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"dagster dev exited with {server.returncode}:\n{log.read_text()[-4000:]}")
        try:
            entries = graphql(base, LOCATIONS)["workspaceOrError"]["locationEntries"]
        except (httpx.HTTPError, KeyError, TypeError):
            entries = []
        for entry in entries:
            location = entry["locationOrLoadError"] or {}
            if location.get("__typename") == "PythonError":
                pytest.fail(f"code location {entry['name']} failed to load:\n{location['message']}")
            if entry["loadStatus"] == "LOADED" and location.get("__typename") == "RepositoryLocation":
                return
        time.sleep(1)
    pytest.fail(f"dagster dev did not load the code location in 180 s:\n{log.read_text()[-4000:]}")


def stop_sensors(base: str) -> None:
    """Stop every running sensor (landing, automation): the test's only run must be the one it clicks."""
    for sensor in graphql(base, SENSORS)["sensorsOrError"]["results"]:
        if sensor["sensorState"]["status"] == "RUNNING":
            stopped = graphql(base, STOP_SENSOR, id=sensor["id"])["stopSensor"]
            assert stopped.get("instigationState", {}).get("status") == "STOPPED", (sensor["name"], stopped)


def wait_for_run(base: str) -> tuple[str, dict[str, str]]:
    """(run id, tags) of the run launched from the UI, once it succeeded; fails on failure or timeout."""
    deadline, runs = time.monotonic() + RUN_TIMEOUT_S, []
    while time.monotonic() < deadline:
        runs = [r for r in graphql(base, RUNS)["runsOrError"]["results"]
                if {"key": "dagster/from_ui", "value": "true"} in r["tags"]]
        if runs:
            run = runs[0]
            if run["status"] == "SUCCESS":
                return run["runId"], {t["key"]: t["value"] for t in run["tags"]}
            if run["status"] in ("FAILURE", "CANCELED"):
                pytest.fail(f"run {run['runId']} ended {run['status']}")
        time.sleep(1)
    pytest.fail(f"no successful run after {RUN_TIMEOUT_S} s: {runs}")


@dataclass
class Server:
    base: str
    home: Path
    log: Path
    process: subprocess.Popen


@pytest.fixture
def chromium() -> str:
    """Debian's chromium, or skip (fail under MASLOW_REQUIRE_BROWSER=1); checked before the server starts."""
    return chromium_or_skip()


def server_env(home: Path) -> dict[str, str]:
    today = datetime.now(UTC).date()
    env = {k: v for k, v in os.environ.items() if k not in ("MASLOW_LAKE", "MASLOW_LANDING", "MASLOW_SPECS")}
    return env | {"MASLOW_HOME": str(home), "DAGSTER_HOME": str(quiet_instance(home / "dagster")),
                  "MASLOW_START_DATE": (today - timedelta(days=5)).isoformat()}


def quiet_instance(dagster_home: Path) -> Path:
    """The usual DAGSTER_HOME with automation off: its daemon ticks as soon as `dagster dev` starts, before
    `stop_sensors` can stop it, and on a lake with data it launched runs of its own (quality_model) beside
    the one the test clicks. The other sensors tick then too, and are stopped as before."""
    config = dagster_home / "dagster.yaml"
    if not config.exists():
        dagster_home.mkdir(parents=True, exist_ok=True)
        config.write_text("auto_materialize:\n  enabled: false\n  use_sensors: false\n")
    return ensure_dagster_home(dagster_home)


def start_dagster_dev(home: Path, tmp_path: Path, env: dict[str, str] | None = None) -> Server:
    port, log = free_port(), tmp_path / "dagster_dev.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "dagster"), "dev", "-w", "workspace.yaml",
             "-h", "127.0.0.1", "-p", str(port)],
            cwd=REPO, env=env or server_env(home), stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_default_stop_signals,
        )
    return Server(f"http://127.0.0.1:{port}", home, log, process)


@pytest.fixture
def dagster_dev(chromium, tmp_path) -> Iterator[Server]:
    """A running `dagster dev` over a temp MASLOW_HOME whose landing zone is still empty."""
    server = start_dagster_dev(tmp_path / "maslow", tmp_path)
    try:
        yield server
    finally:
        stop(server.process)


def _default_stop_signals() -> None:
    # A shell that started pytest with `&` leaves SIGINT ignored, and dagster dev then ignores it too.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def stop(server: subprocess.Popen) -> None:
    """SIGINT to the server's process group; fail if it or any descendant is still alive after that."""
    try:
        family = [psutil.Process(server.pid), *psutil.Process(server.pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        family = []
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGINT)
    try:
        server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        pass
    _, alive = psutil.wait_procs(family, timeout=30)
    for proc in alive:  # clean up before failing, so nothing outlives the test
        proc.kill()
    assert not alive, f"processes survived SIGINT: {[(p.pid, p.name()) for p in alive]}"


def click_materialize_one_partition(page, base: str, shots: Path) -> None:
    page.goto(f"{base}/locations/maslow/asset-groups/clean")  # the clean group's asset graph, expanded
    page.get_by_text("raw_documents").first.wait_for(timeout=UI_TIMEOUT_MS)
    skip = page.get_by_role("button", name="Skip")  # the "Join the Dagster community" dialog
    if skip.count() and skip.first.is_visible():
        skip.first.click()
    page.screenshot(path=shots / "1_asset_graph.png")
    page.goto(f"{base}/assets/raw_documents")
    page.get_by_role("button", name=re.compile(r"Materialize…")).first.click(timeout=UI_TIMEOUT_MS)
    dialog = page.get_by_role("dialog").filter(has_text="Launch runs to materialize")
    # raw_documents shares a multi-asset with quarantined_records: the UI asks to confirm both first
    extra = page.get_by_role("dialog").filter(has_text="Additional assets will be materialized")
    dialog.or_(extra).first.wait_for(timeout=UI_TIMEOUT_MS)
    if extra.count():
        extra.get_by_role("button", name="Confirm").click()
    dialog.get_by_role("button", name="Latest").click(timeout=UI_TIMEOUT_MS)
    page.screenshot(path=shots / "2_launch_dialog.png")
    dialog.get_by_role("button", name=re.compile(r"Launch 1 run")).click(timeout=UI_TIMEOUT_MS)
    page.get_by_text(re.compile(r"Launched run")).first.wait_for(timeout=UI_TIMEOUT_MS)


def test_materialize_one_raw_documents_partition_from_the_ui(chromium, dagster_dev, tmp_path):
    from playwright.sync_api import sync_playwright

    server = dagster_dev
    wait_until_loaded(server.base, server.process, server.log)
    stop_sensors(server.base)  # before landing files, so the landing sensor never launches a run
    today = datetime.now(UTC).date()
    land(server.home / "landing", [(today - timedelta(days=d)).isoformat() for d in (2, 1, 0)])
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        try:
            click_materialize_one_partition(page, server.base, tmp_path)
            run_id, tags = wait_for_run(server.base)
        except BaseException:
            page.screenshot(path=tmp_path / "failure.png")
            print(f"screenshots in {tmp_path}; dagster dev log:\n{server.log.read_text()[-4000:]}")
            raise
        finally:
            browser.close()

    assert tags.get("dagster/from_ui") == "true", tags
    day = tags["dagster/partition"]
    raw = lance.dataset(server.home / "lake" / "raw_documents.lance")
    rows = raw.to_table(columns=["source_id", "day", "source"], filter=f"day = '{day}'")
    assert sorted(rows.column("source_id").to_pylist()) == ["ui-0", "ui-1", "ui-2"], run_id
    assert pc.unique(rows.column("source")).to_pylist() == ["browser_test"]
    assert pc.unique(raw.to_table(columns=["day"]).column("day")).to_pylist() == [day]  # one partition only


PROSE_ONLY = """name: prose_only
description: Clean English prose only, launched from the UI by the browser test.
requested_tokens: 2000
components:
  - name: prose
    sql: |
      select doc_id, text, token_count
      from {{ ref('clean_documents') }}
      where domain = 'prose' and language = 'en'
    target_ratio: 1.0
    max_repetition_ratio: 4
"""


def small_lake_for_mixtures(home: Path, tmp_path: Path, monkeypatch) -> dict[str, str]:
    """One demo day cleaned and scanned, and a copy of the specs with a small `prose_only` mixture.

    The same commands as docs/guides/add-a-mixture.md: what a mixture needs, and no more (a whole
    `maslow demo` would cost this test two minutes more). They run in this process (the guide's test runs
    them as commands): the assets are this process's, built from the repository's specs, which the copy
    matches but for the mixture that only `dagster dev` runs.
    """
    from platform_assets.cli import main as cli

    specs = tmp_path / "specs"
    shutil.copytree(REPO / "dbt_like_sql", specs)
    (specs / "mixtures" / "prose_only.yaml").write_text(PROSE_ONLY)
    env = server_env(home) | {"MASLOW_SPECS": str(specs)}
    for name in ("MASLOW_HOME", "DAGSTER_HOME", "MASLOW_SPECS"):
        monkeypatch.setenv(name, env[name])
    for name in ("MASLOW_LAKE", "MASLOW_LANDING"):
        monkeypatch.delenv(name, raising=False)
    day = (datetime.now(UTC).date() - timedelta(days=1)).isoformat()
    for args in (["demo-data", "--days", "1", "--end-date", day, "--docs-per-day", "300"],
                 ["materialize", "raw_documents,clean_documents,heldout_documents", "--partition", day],
                 ["materialize", "eval_items,eval_ngram_index"],
                 ["materialize", "contamination", "--partition", day]):
        assert cli.main(args) == 0, args
        if args[0] == "demo-data":  # text only: the landing sensor then has no media day to launch a run for
            for modality in ("images", "speech"):
                shutil.rmtree(home / "landing" / modality)
    return env


def test_materialize_a_mixture_and_open_its_lineage(chromium, tmp_path, monkeypatch):
    """Issue 7: on a lake with one cleaned day, launch a mixture from the UI, then open its lineage."""
    from playwright.sync_api import sync_playwright

    home = tmp_path / "maslow"
    env = small_lake_for_mixtures(home, tmp_path, monkeypatch)
    server = start_dagster_dev(home, tmp_path, env)
    try:
        wait_until_loaded(server.base, server.process, server.log)
        stop_sensors(server.base)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_FLAGS)
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            try:
                launch_one_mixture(page, server.base, tmp_path)
                run_id, tags = wait_for_run(server.base)
                page.goto(f"{server.base}/assets/mixtures?view=lineage")
                for upstream in ("clean_documents", "document_classifications", "contamination"):
                    page.wait_for_function(SHOWS_NODE, arg=upstream, timeout=UI_TIMEOUT_MS)
                page.screenshot(path=tmp_path / "5_mixture_lineage.png")
            except BaseException:
                page.screenshot(path=tmp_path / "failure.png")
                print(f"screenshots in {tmp_path}; dagster dev log:\n{server.log.read_text()[-4000:]}")
                raise
            finally:
                browser.close()
    finally:
        stop(server.process)
    assert tags.get("dagster/partition") == "prose_only", (run_id, tags)
    mixture = lance.dataset(home / "lake" / "mixtures.lance").to_table(columns=["mixture"])
    assert pc.unique(mixture.column("mixture")).to_pylist() == ["prose_only"], run_id


# An asset graph node shows its name whole, or cut in the middle when the node is narrow
# (`document_…fications`): some element's title or text is the name or such a cut of it.
SHOWS_NODE = """name => [...document.querySelectorAll('body *')].some(e => {
  for (const t of [e.getAttribute('title'), e.textContent]) {
    const text = (t || '').trim();
    if (text === name) return true;
    const parts = text.split(/\u2026|\.\.\./);
    if (parts.length === 2 && parts[0].length >= 3 && parts[1].length >= 3
        && name.startsWith(parts[0]) && name.endsWith(parts[1])) return true;
  }
  return false;
})"""


def launch_one_mixture(page, base: str, shots: Path) -> None:
    page.goto(f"{base}/assets/mixtures")
    skip = page.get_by_role("button", name="Skip")
    page.get_by_role("button", name=re.compile(r"Materialize")).first.wait_for(timeout=UI_TIMEOUT_MS)
    if skip.count() and skip.first.is_visible():
        skip.first.click()
    page.get_by_role("button", name=re.compile(r"Materialize…")).first.click(timeout=UI_TIMEOUT_MS)
    dialog = page.get_by_role("dialog").filter(has_text="Launch runs to materialize")
    # upstreams this small lake never built (media, classifications, pairs): the UI asks to confirm first
    unsure = page.get_by_role("dialog").filter(has_text="upstream assets listed below have not been")
    dialog.or_(unsure).first.wait_for(timeout=UI_TIMEOUT_MS)
    if unsure.count():
        unsure.get_by_role("button", name="Confirm").click()
    dialog.wait_for(timeout=UI_TIMEOUT_MS)
    page.screenshot(path=shots / "3_mixture_dialog.png")
    dialog.get_by_text("Select a partition").click(timeout=UI_TIMEOUT_MS)  # static partitions: pick one
    page.get_by_text("prose_only", exact=True).filter(visible=True).first.click(timeout=UI_TIMEOUT_MS)
    dialog.get_by_text("Launch runs to materialize mixtures").click()  # closes the partition list
    page.screenshot(path=shots / "4_mixture_partition.png")
    dialog.get_by_role("button", name=re.compile(r"Launch 1 run")).click(timeout=UI_TIMEOUT_MS)
    page.get_by_text(re.compile(r"Launched run")).first.wait_for(timeout=UI_TIMEOUT_MS)
