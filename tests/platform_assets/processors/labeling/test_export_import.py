"""Label Studio task JSON and config out; Label Studio exports and JSONL in; adjudication and report."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest

from platform_assets.processors.labeling import adjudicate, annotations, export, sampling, tasks
from tests.platform_assets.processors.labeling.test_sampling import PLAN, candidates


@pytest.mark.parametrize(
    ("kind", "answer", "tag"),
    [("choices", "high", "Choices"), ("rating", "4", "Rating"), ("pairwise", "b", "Pairwise")],
)
def test_config_and_results_round_trip(kind, answer, tag):
    config = ET.fromstring(export.labeling_config(kind, "q", 'Is it "good"?', ["high", "low"], 5))
    assert config.find(tag).get("name") == "q"
    assert export.answer_of([export.result_for(kind, "q", answer)], "q") == answer
    assert export.answer_of([export.result_for(kind, "other", answer)], "q") is None


def test_ls_tasks_carry_the_suggestion_as_a_prediction():
    table = tasks.build_tasks(candidates(), "q", PLAN, "h", above="high", below="low")
    out = export.ls_tasks(table, "choices", "quality")
    first = out[0]
    assert first["data"]["task_id"] == table.column("task_id")[0].as_py()
    pred = first["predictions"][0]
    assert pred["model_version"] == "m1" and pred["score"] == table.column("suggestion_score")[0].as_py()
    assert pred["result"][0]["value"]["choices"] == [table.column("suggestion_label")[0].as_py()]
    assert len(export.jsonl(table).splitlines()) == 40
    assert export.csv_text(table).splitlines()[0].startswith("queue,task_id")


def ls_export(task_rows: list[dict]) -> list[dict]:
    out = []
    for i, t in enumerate(task_rows):
        anns = [
            {
                "id": 10 * i + k,
                "unique_id": f"u{i}-{k}",
                "completed_by": {"id": k, "email": who},
                "result": [export.result_for("choices", "quality", ans)],
                "was_cancelled": False,
                "lead_time": 2.5 + k,
                "created_at": "2026-12-01T10:00:00Z",
                "updated_at": "2026-12-01T10:00:01Z",
                "prediction": {
                    "result": [export.result_for("choices", "quality", t["suggestion_label"])],
                    "score": t["suggestion_score"],
                    "model_version": "m1",
                },
            }
            for k, (who, ans) in enumerate(t["answers"])
        ]
        out.append({"id": i, "data": {"item_id": t["item_id"], "task_id": t["task_id"]}, "annotations": anns})
    return out


def test_ls_export_and_jsonl_read_and_reimport_adds_nothing(tmp_path):
    rows = [
        {
            "item_id": "d1",
            "task_id": "t1",
            "suggestion_label": "high",
            "suggestion_score": 0.7,
            "answers": [("ann@x", "high"), ("bob@x", "low")],
        }
    ]
    (tmp_path / "export.json").write_text(json.dumps(ls_export(rows)))
    (tmp_path / "more.jsonl").write_text(
        json.dumps(
            {"item_id": "d2", "annotator": "cat", "answer": "low", "created_at": "2026-12-02T00:00:00"}
        )
        + "\n"
    )
    files = annotations.label_files(tmp_path)
    read = [r for f in files for r in annotations.read_file(f, "q", "quality", ["high", "low"])]
    assert len(read) == 3
    first = next(r for r in read if r["annotator"] == "bob@x")
    assert (
        first["answer"],
        first["seen_label"],
        first["seen_score"],
        first["seen_model_version"],
        first["lead_time_s"],
    ) == ("low", "high", 0.7, "m1", 3.5)
    now = datetime.now(UTC)
    table = annotations.new_rows(read, set(), 1, now)
    assert table.num_rows == 3
    again = [r for f in files for r in annotations.read_file(f, "q", "quality", ["high", "low"])]
    assert annotations.new_rows(again, set(table.column("annotation_key").to_pylist()), 2, now).num_rows == 0


def test_bad_lines_name_the_file_and_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"item_id": "d1", "annotator": "a", "answer": "high"}\n{"item_id": "d2"}\n')
    with pytest.raises(annotations.AnnotationFileError, match=r"bad.jsonl:2:"):
        annotations.read_file(path, "q", "quality", ["high", "low"])
    path.write_text('{"item_id": "d1", "annotator": "a", "answer": "medium"}\n')
    with pytest.raises(annotations.AnnotationFileError, match="'medium' is not one of"):
        annotations.read_file(path, "q", "quality", ["high", "low"])


def label(item, who, answer, seen="high", version=1, cancelled=False, at="2026-12-01T00:00:00"):
    return {
        "item_id": item,
        "annotator": who,
        "answer": answer,
        "seen_label": seen,
        "labels_version": version,
        "cancelled": cancelled,
        "updated_at": datetime.fromisoformat(at),
        "created_at": None,
    }


def test_majority_ties_and_latest_answer_wins():
    labels = [
        label("d1", "a", "high"),
        label("d1", "b", "high"),
        label("d2", "a", "high"),
        label("d2", "b", "low"),
        label("d3", "a", "low"),
        label("d3", "a", "high", version=2, at="2026-12-02T00:00:00"),
        label("d4", "a", None, cancelled=True),
    ]
    task_rows = [
        {
            "item_id": f"d{i}",
            "slice": "random",
            "suggestion_label": "high",
            "overlap_group": i,
            "text": f"t{i}",
        }
        for i in range(1, 5)
    ]
    table = adjudicate.adjudicate(labels, task_rows, "q", 2).to_pylist()
    by = {r["item_id"]: r for r in table}
    assert set(by) == {"d1", "d2", "d3"}
    assert (by["d1"]["label"], by["d1"]["status"], by["d1"]["agreement"]) == ("high", "majority", 1.0)
    assert (by["d2"]["label"], by["d2"]["status"], by["d2"]["agreement"]) == (None, "tie", 0.5)
    assert by["d3"]["label"] == "high"
    report = adjudicate.report(labels, task_rows, ["high", "low"], "nominal")
    assert report["overlap_items"] == 2 and report["cohen_pair"] == ["a", "b"]
    assert report["annotators"]["a"] == {
        "answers": 3,
        "cancelled": 1,
        "gold_items": 2,
        "gold_accuracy": 0.5,
        "suggestion_acceptance": 1.0,
    }
    assert report["gold_items"] == 2 and report["model_gold_accuracy"] == 1.0
    assert report["suggestion_acceptance"] == pytest.approx(4 / 5)


def test_plan_round_trip_keeps_every_task():
    rows, _ = sampling.select(candidates(30), sampling.Plan(size=100, seed=0, random=0.5))
    assert sorted(rows.tolist()) == list(range(30))
