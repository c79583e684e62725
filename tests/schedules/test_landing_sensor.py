"""The landing sensor launches a day when new files land, and never the same file twice."""

import json
import os
import time

import dagster as dg

from schedules.landing_sensor import landed_files, landing_sensor, new_files

JOB = dg.define_asset_job("daily_refresh", selection=dg.AssetSelection.all())


def _land(landing, day, name, text="{}"):
    path = landing / "web" / day / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_new_files_are_those_unseen_and_newer_than_the_last_ingestion():
    landed = {"2026-11-02": {"web/2026-11-02/a.jsonl": 10.0, "web/2026-11-02/b.jsonl": 30.0}}
    assert new_files(landed, {}, {"2026-11-02": None}) == {"2026-11-02": ["web/2026-11-02/a.jsonl",
                                                                          "web/2026-11-02/b.jsonl"]}
    assert new_files(landed, {}, {"2026-11-02": 20.0}) == {"2026-11-02": ["web/2026-11-02/b.jsonl"]}
    seen = {"web/2026-11-02/a.jsonl": 10.0, "web/2026-11-02/b.jsonl": 30.0}
    assert new_files(landed, seen, {"2026-11-02": None}) == {}


def test_sensor_requests_each_new_day_once(maslow_home):
    landing = maslow_home / "landing"
    day = (dg.DailyPartitionsDefinition(start_date="2026-01-01").get_last_partition_key())
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
    day = dg.DailyPartitionsDefinition(start_date="2026-01-01").get_last_partition_key()
    path = _land(landing, day, "a.jsonl")
    os.utime(path, (time.time() - 3600, time.time() - 3600))
    with dg.instance_for_test() as instance:
        instance.report_runless_asset_event(
            dg.AssetMaterialization(asset_key="raw_documents", partition=day)
        )
        assert list(landing_sensor(JOB)(dg.build_sensor_context(instance=instance))) == []


def test_landed_files_lists_days(tmp_path):
    _land(tmp_path, "2026-11-02", "a.jsonl")
    assert list(landed_files(tmp_path)) == ["2026-11-02"]
    assert landed_files(tmp_path / "missing") == {}
