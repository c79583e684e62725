"""The lake on an object store: `MASLOW_LAKE=s3://...` against an S3-compatible server on loopback (moto).

Lance reads the standard AWS_* variables itself, so no credential passes through maslow's config. These
tests prove the IO manager contract and one nightly run hold there, not only on a local path.
"""

import socket
import subprocess
import sys
import time

import dagster as dg
import lance
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from tests.conftest import require

pytestmark = [pytest.mark.slow, pytest.mark.integration]

require("moto.server", "MASLOW_REQUIRE_OBJECT_STORE")
boto3 = require("boto3", "MASLOW_REQUIRE_OBJECT_STORE")

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3():
    # Its own process: Lance calls that hold the GIL while waiting on S3 would deadlock a server thread.
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    settings = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_REGION": "us-east-1",
                "AWS_ENDPOINT": endpoint, "AWS_ALLOW_HTTP": "true"}
    with pytest.MonkeyPatch.context() as env:
        for key, value in settings.items():
            env.setenv(key, value)
        client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
        deadline = time.time() + 30
        while True:
            try:
                client.create_bucket(Bucket="lake")
                break
            except Exception:
                if time.time() > deadline or server.poll() is not None:
                    server.kill()
                    raise
                time.sleep(0.2)
        yield client
    server.terminate()
    server.wait(timeout=30)


def _keys(client, prefix: str) -> list[str]:
    pages = client.get_paginator("list_objects_v2").paginate(Bucket="lake", Prefix=prefix)
    return [o["Key"] for page in pages for o in page.get("Contents", [])]


def test_io_manager_contract_on_an_object_store(s3):
    from resources.lance_io_manager import LanceIOManager
    from tests.resources.io_assets import DAYS, META, events, rows_for, write_day_together
    from tests.resources.racing_writers import run_together

    root = "s3://lake/contract"
    days = ["2026-11-02", "2026-11-03", "2026-11-04"]
    # The writer processes inherit the AWS_* settings.
    assert run_together(write_day_together, [(root, d) for d in days], timeout=300) == [0] * len(days)
    ds = lance.dataset(f"{root}/events.lance")
    counts = {r["day"]: r["id_count"]
              for r in ds.to_table().group_by("day").aggregate([("id", "count")]).to_pylist()}
    assert counts == {d: int(d[-2:]) * 10 for d in days} and ds.version == 1 + len(days)

    io = LanceIOManager(root_uri=root)

    @dg.asset(name="events", partitions_def=DAYS, metadata=META)
    def shorter_events(context: dg.AssetExecutionContext) -> pa.Table:
        return rows_for(context.partition_key, 5)

    # Rewrite one partition with new content: the latest version has it, the old version still has the old.
    assert dg.materialize([shorter_events], partition_key="2026-11-03", resources={"io_manager": io}).success

    def day_ids(version: int | None) -> list[str]:
        return io.open(dg.AssetKey("events"), version).to_table(
            columns=["id"], filter="day = '2026-11-03'").column("id").to_pylist()

    assert len(day_ids(None)) == 5 and day_ids(ds.version) == rows_for("2026-11-03")["id"].to_pylist()

    seen = {}

    @dg.asset(partitions_def=DAYS, metadata=META)
    def daily_totals(events: pa.Table) -> pa.Table:
        seen["days"] = set(events.column("day").to_pylist())
        return pa.table({"total": [pc.sum(events["value"]).as_py()]})

    result = dg.materialize([events, daily_totals], selection=[daily_totals], partition_key="2026-11-04",
                            resources={"io_manager": io})
    assert seen["days"] == {"2026-11-04"}
    out = [e for e in result.all_events if e.event_type_value == "ASSET_MATERIALIZATION"][0]
    assert out.event_specific_data.materialization.metadata["lance/input_versions"].data["events"][
        "rows_scanned"] == 40
    uri = out.event_specific_data.materialization.metadata["dagster/uri"].value
    assert uri == f"{root}/daily_totals.lance"


def test_a_nightly_run_on_an_object_store_lake(s3, tmp_path, monkeypatch):
    from platform_assets import settings
    from platform_assets.cli.dagster_home import ensure_dagster_home
    from platform_assets.cli.demo_data import generate, load_truth
    from platform_assets.cli.lineage import trace
    from platform_assets.definitions import defs as loaded
    from resources import build_resources

    monkeypatch.setenv("MASLOW_HOME", str(tmp_path))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster"))
    monkeypatch.setenv("MASLOW_LAKE", "s3://lake/nightly")
    monkeypatch.delenv("MASLOW_LANDING", raising=False)
    ensure_dagster_home(settings.dagster_home())
    generate(settings.landing_dir(), 1, 3)
    day = load_truth(settings.landing_dir(), 3)["days"][-1]
    selection = ["raw_documents", "quarantined_records", "clean_documents", "rejected_documents",
                 "near_dup_index", "heldout_documents"]
    with dg.instance_for_test(temp_dir=str(tmp_path / "dagster")) as instance:
        result = dg.materialize(list(loaded.assets), selection=selection, partition_key=day,
                                instance=instance, resources=build_resources())
    assert result.success
    lake = settings.lake_uri()

    def doc_ids(name: str) -> set[str]:
        return set(lance.dataset(f"{lake}/{name}.lance").to_table(columns=["doc_id"]).column(0).to_pylist())

    raw, kept, dropped = doc_ids("raw_documents"), doc_ids("clean_documents"), doc_ids("rejected_documents")
    assert raw and kept and dropped and kept | dropped == raw and not kept & dropped  # nothing lost
    assert _keys(s3, "nightly/_scratch/") == []  # the clean stage's scratch spools are deleted on S3 too
    some = sorted(kept)[0]
    found = trace.trace(lake, some, names=selection)
    assert {"raw_documents", "clean_documents"} <= set(found)


def test_gc_and_the_scratch_sweep_on_an_object_store(s3):
    from resources import lance_stage
    from resources.lance_gc import collect
    from resources.lance_io_manager import LanceIOManager

    root = "s3://lake/gc"
    io = LanceIOManager(root_uri=root)

    @dg.asset(io_manager_key="lance_io_manager")
    def counts(context: dg.AssetExecutionContext) -> pa.Table:
        return pa.table({"n": [len(context.run_id)]})

    with dg.DagsterInstance.ephemeral() as instance:
        for _ in range(2):  # versions 1, 2: recorded and tagged
            assert dg.materialize([counts], instance=instance, resources={"lance_io_manager": io}).success
        uri = io.uri_for(dg.AssetKey("counts"))
        for n in (3, 4, 5):  # written outside Dagster; a stage publishes version 3
            lance.write_dataset(pa.table({"n": [n]}), uri, mode="overwrite")
            if n == 3:
                lance_stage.StageLog(root, "s", ["counts"]).publish()
        dead = instance.add_run(dg.DagsterRun(job_name="x", status=dg.DagsterRunStatus.FAILURE))
        lance.write_dataset(pa.table({"n": [1]}), f"{root}/_scratch/{dead.run_id}.2026-01-01.kept.lance")
        s3.put_object(Bucket="lake", Key=f"gc/_scratch/{dead.run_id}.2026-01-01.rejected.lance/data/x.lance",
                      Body=b"killed before its first commit")
        time.sleep(0.05)
        report = collect(instance, io, [dg.AssetKey("counts")], retention_days=0)
    assert sorted(v["version"] for v in lance.dataset(uri).versions()) == [1, 2, 3, 5]
    assert report["counts"]["versions_removed"] == 1 and report["_scratch"]["runs_swept"] == [dead.run_id]
    assert _keys(s3, "gc/_scratch/") == []
    assert io.open(dg.AssetKey("counts")).version == 3  # readers see the published set
