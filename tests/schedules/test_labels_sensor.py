"""The labels sensor requests a queue's import when its annotation files land or change, never twice."""

import json
import os
import time

import dagster as dg

from schedules.labels_sensor import label_import_job, labels_sensor

QUEUE = "quality_review"


def test_sensor_requests_each_new_file_set_once(maslow_home):
    folder = maslow_home / "landing" / "_labels" / QUEUE
    folder.mkdir(parents=True)
    (folder / "a.jsonl").write_text(json.dumps({"item_id": "d1", "annotator": "x", "answer": "high"}) + "\n")
    (folder / ".pull.json.tmp").write_text("[")  # a pull still being written is never read
    sensor = labels_sensor(label_import_job())
    with dg.instance_for_test() as instance:
        ctx = dg.build_sensor_context(instance=instance)
        first = list(sensor(ctx))
        assert [(r.partition_key, r.tags["maslow/label_files"]) for r in first] == [(QUEUE, "1")]
        cursor = ctx.cursor
        assert list(sensor(dg.build_sensor_context(instance=instance, cursor=cursor))) == []
        newer = folder / "b.json"
        newer.write_text("[]")
        os.utime(newer, (time.time() + 5, time.time() + 5))
        again = list(sensor(dg.build_sensor_context(instance=instance, cursor=cursor)))
        assert [r.partition_key for r in again] == [QUEUE] and again[0].run_key != first[0].run_key
