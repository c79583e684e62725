"""The landing sensor launches a day when new files land, and never the same file twice."""

import json
import os
import time
from datetime import timedelta

import dagster as dg
from dagster._core.test_utils import freeze_time

from platform_assets import settings
from platform_assets.clean.raw_documents import landed_version
from platform_assets.partitions import daily_partitions
from platform_assets.processors.ingest_partition import LandingPartition
from platform_assets.processors.sources import SOURCES_FILE, load_sources
from schedules.landing_sensor import landed_files, landing_sensor, new_files

JOB = dg.define_asset_job("daily_refresh", selection=dg.AssetSelection.all())


def _land(landing, day, name, text="{}"):
    path = landing / "web" / day / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _ingest(instance, landing, day):
    """What a successful run of the day records: raw_documents with the landed files' data version (which
    covers the files' sources.yaml entries too)."""
    sources = load_sources(settings.spec_dir() / SOURCES_FILE)
    version = landed_version(LandingPartition(landing, day, sources)).value
    instance.report_runless_asset_event(dg.AssetMaterialization(
        asset_key="raw_documents", partition=day, tags={"dagster/data_version": version}))


def test_new_files_are_those_whose_path_size_and_mtime_are_unseen():
    landed = {"2026-11-02": {"web/2026-11-02/a.jsonl": [2, 10], "web/2026-11-02/b.jsonl": [2, 30]}}
    assert new_files(landed, {}) == {"2026-11-02": ["web/2026-11-02/a.jsonl", "web/2026-11-02/b.jsonl"]}
    seen = {"web/2026-11-02/a.jsonl": [2, 10], "web/2026-11-02/b.jsonl": [2, 30]}
    assert new_files(landed, seen) == {}
    older = {"web/2026-11-02/a.jsonl": [2, 10], "web/2026-11-02/b.jsonl": [2, 40]}  # rewritten: older mtime
    assert new_files(landed, older) == {"2026-11-02": ["web/2026-11-02/b.jsonl"]}
    assert new_files(landed, {**seen, "web/2026-11-02/b.jsonl": [5, 30]}) == {"2026-11-02": [
        "web/2026-11-02/b.jsonl"]}


def test_sensor_requests_each_new_day_once(maslow_home):
    landing = maslow_home / "landing"
    day = daily_partitions.get_last_partition_key()
    _land(landing, day, "a.jsonl")
    (landing / "_truth").mkdir()
    (landing / "_truth" / "x.json").write_text("{}")  # underscore folders are not sources
    sensor = landing_sensor(JOB)
    with dg.instance_for_test() as instance:
        ctx = dg.build_sensor_context(instance=instance)
        first = list(sensor(ctx))
        assert [r.partition_key for r in first] == [day]
        cursor = ctx.cursor
        assert list(sensor(dg.build_sensor_context(instance=instance, cursor=cursor))) == []
        time.sleep(0.01)
        newer = _land(landing, day, "b.jsonl")
        os.utime(newer, (time.time() + 5, time.time() + 5))
        again = list(sensor(dg.build_sensor_context(instance=instance, cursor=cursor)))
        assert [r.partition_key for r in again] == [day]
        assert again[0].run_key != first[0].run_key
        assert sorted(json.loads(ctx.cursor)) == [f"web/{day}/a.jsonl"]


def test_files_already_ingested_are_not_requested_without_a_cursor(maslow_home):
    landing = maslow_home / "landing"
    day = daily_partitions.get_last_partition_key()
    _land(landing, day, "a.jsonl")
    with dg.instance_for_test() as instance:
        _ingest(instance, landing, day)  # by the nightly, a backfill, or before the cursor was lost
        assert list(landing_sensor(JOB)(dg.build_sensor_context(instance=instance))) == []


def test_a_late_file_with_an_old_mtime_is_ingested_and_never_twice(maslow_home):
    landing = maslow_home / "landing"
    day = daily_partitions.get_last_partition_key()
    _land(landing, day, "a.jsonl")
    sensor = landing_sensor(JOB)
    with dg.instance_for_test() as instance:
        ctx = dg.build_sensor_context(instance=instance)
        first = list(sensor(ctx))
        _ingest(instance, landing, day)
        late = _land(landing, day, "late.jsonl")
        os.utime(late, (time.time() - 86400, time.time() - 86400))  # rsync -a keeps the source's mtime
        again = list(sensor(dg.build_sensor_context(instance=instance, cursor=ctx.cursor)))
        assert [r.partition_key for r in again] == [day] and again[0].tags["maslow/new_files"] == "1"
        assert again[0].run_key != first[0].run_key
        # without its cursor the sensor asks for the same file set under the same run key, which Dagster
        # launches only once; once that run has ingested the day, nothing is asked at all
        lost = list(sensor(dg.build_sensor_context(instance=instance)))
        assert [r.run_key for r in lost] == [again[0].run_key]
        _ingest(instance, landing, day)
        assert list(sensor(dg.build_sensor_context(instance=instance))) == []


def test_a_day_that_is_not_a_partition_yet_is_requested_once_it_is(maslow_home):
    landing = maslow_home / "landing"
    today = (daily_partitions.end_time_for_partition_key(daily_partitions.get_last_partition_key()))
    day = today.date().isoformat()
    _land(landing, day, "a.jsonl")
    sensor = landing_sensor(JOB)
    with dg.instance_for_test() as instance:
        with freeze_time(today + timedelta(hours=12)):
            ctx = dg.build_sensor_context(instance=instance)
            assert list(sensor(ctx)) == []
        with freeze_time(today + timedelta(days=1, hours=1)):
            later = list(sensor(dg.build_sensor_context(instance=instance, cursor=ctx.cursor)))
        assert [r.partition_key for r in later] == [day]


def test_files_in_subfolders_count_as_ingestion_reads_them(maslow_home):
    landing = maslow_home / "landing"
    day = daily_partitions.get_last_partition_key()
    _land(landing, day, "shard-00/a.jsonl")
    _land(landing, day, "_tmp/partial.jsonl")  # not data, for ingestion neither
    _land(landing, day, ".b.jsonl.part")
    assert landed_files(landing)[day].keys() == {f"web/{day}/shard-00/a.jsonl"}
    assert [p.relative_to(landing).as_posix() for _, p in LandingPartition(landing, day, {}).files] == [
        f"web/{day}/shard-00/a.jsonl"]
    with dg.instance_for_test() as instance:
        assert [r.partition_key for r in landing_sensor(JOB)(dg.build_sensor_context(instance=instance))] \
            == [day]


def test_landed_files_lists_days(tmp_path):
    _land(tmp_path, "2026-11-02", "a.jsonl")
    assert list(landed_files(tmp_path)) == ["2026-11-02"]
    assert landed_files(tmp_path / "missing") == {}
