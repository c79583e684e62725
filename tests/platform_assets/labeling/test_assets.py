"""labeling_queue → human_labels → adjudicated_labels on a small lake, through Dagster."""

from __future__ import annotations

import dagster as dg
import lance

from platform_assets import settings, spec_versions
from platform_assets.labeling.adjudicated_labels import adjudicated_labels
from platform_assets.labeling.human_labels import human_labels
from platform_assets.labeling.labeling_queue import build_labeling_queue, labeling_queue
from platform_assets.labeling.spec import load_queue
from platform_assets.spec_isolation import SpecFamily
from tests.platform_assets import staleness
from tests.platform_assets.labeling.conftest import QUEUE, THRESHOLD, write_labels

ASSETS = [labeling_queue, human_labels, adjudicated_labels]


def run(resources, instance, selection):
    result = dg.materialize(
        ASSETS,
        selection=selection,
        partition_key=QUEUE,
        resources=resources,
        instance=instance,
        raise_on_error=True,
    )
    return {
        e.asset_key.to_user_string(): e.materialization.metadata
        for e in result.get_asset_materialization_events()
    }, result


def answers_for(tasks: list[dict], who: str, flip_every: int) -> list[dict]:
    """An annotator who follows the suggestion except on every `flip_every`-th task."""
    out = []
    for i, t in enumerate(tasks):
        if who == "b@sim" and t["overlap_group"] is None:
            continue
        answer = t["suggestion_label"]
        if i % flip_every == 0:
            answer = "low" if answer == "high" else "high"
        out.append(
            {
                "item_id": t["item_id"],
                "annotator": who,
                "answer": answer,
                "lead_time": 1.5,
                "created_at": "2026-12-01T10:00:00Z",
                "suggestion": {
                    "label": t["suggestion_label"],
                    "score": t["suggestion_score"],
                    "model_version": t["model_version"],
                },
            }
        )
    return out


def test_queue_labels_and_adjudication(resources, lake, maslow_home):
    with dg.DagsterInstance.ephemeral() as instance:
        meta, _ = run(resources, instance, [labeling_queue])
        tasks = lance.dataset(f"{lake}/labeling_queue.lance").to_table().to_pylist()
        assert len(tasks) == 60 and meta["labeling_queue"]["queue/slice/random"].value == 18
        assert all(t["model_version"] == "cafe0123456789ab" for t in tasks)
        assert all(
            t["suggestion_label"] == ("high" if t["suggestion_score"] >= THRESHOLD else "low") for t in tasks
        )
        assert {t["stratum"].split("|")[0] for t in tasks} == {"source=web", "source=forum", "source=news"}
        assert sum(t["overlap_group"] is not None for t in tasks) == 30
        assert meta["labeling_queue"]["inputs/quality_model/lance_version"].value == 1

        write_labels(maslow_home / "landing", "a.jsonl", answers_for(tasks, "a@sim", 7))
        write_labels(maslow_home / "landing", "b.jsonl", answers_for(tasks, "b@sim", 5))
        meta, result = run(resources, instance, [human_labels, adjudicated_labels])
        assert meta["human_labels"]["labels/version"].value == 1
        assert meta["human_labels"]["labels/new_rows"].value == 90
        ds = lance.dataset(f"{lake}/human_labels.lance")
        assert ds.tags.list()["labels-quality_review-v1"]["version"] == ds.version
        agree = meta["adjudicated_labels"]
        assert agree["agreement/overlap_items"].value == 30
        assert 0.0 < agree["agreement/cohen_kappa"].value < 1.0
        checks = {c.check_name: c.passed for c in result.get_asset_check_evaluations()}
        assert set(checks) == {"cohen_kappa", "fleiss_kappa", "krippendorff_alpha"}

        again, _ = run(resources, instance, [human_labels])
        assert again["human_labels"]["labels/new_rows"].value == 0
        assert lance.dataset(f"{lake}/human_labels.lance").version == ds.version

        write_labels(
            maslow_home / "landing",
            "c.jsonl",
            [{"item_id": tasks[0]["item_id"], "annotator": "c@sim", "answer": "high"}],
        )
        meta, _ = run(resources, instance, [human_labels, adjudicated_labels])
        assert meta["human_labels"]["labels/tag"].value == "labels-quality_review-v2"
        adjudicated = lance.dataset(f"{lake}/adjudicated_labels.lance").to_table().to_pylist()
        assert {r["labels_version"] for r in adjudicated} == {1, 2}
        v1 = [r for r in adjudicated if r["labels_version"] == 1]
        assert len(v1) == 60 and all(r["queue"] == QUEUE for r in v1)


def test_a_queue_nobody_labeled_yet(resources, lake):
    with dg.DagsterInstance.ephemeral() as instance:
        meta, result = run(resources, instance, ASSETS)
    assert meta["human_labels"]["labels/version"].value == 0
    assert meta["adjudicated_labels"]["agreement/items_answered"].value == 0
    assert lance.dataset(f"{lake}/adjudicated_labels.lance").count_rows() == 0
    assert not any(c.passed for c in result.get_asset_check_evaluations())  # nothing measured: WARN


def test_editing_one_queue_spec_marks_only_that_queue_stale(resources, lake, tmp_path, monkeypatch):
    """Two queues from the shipped spec: editing `second`'s sampling marks only `second` stale; undone, it
    is fresh again."""
    folder = tmp_path / "specs" / "labeling"
    folder.mkdir(parents=True)
    shipped = (settings.SPEC_DIR / "labeling" / f"{QUEUE}.yaml").read_text()
    (folder / f"{QUEUE}.yaml").write_text(shipped)
    second = folder / "second.yaml"
    second.write_text(shipped.replace(f"name: {QUEUE}", "name: second"))
    monkeypatch.setenv("MASLOW_SPECS", str(folder.parent))
    family = SpecFamily(folder, load_queue)  # the spec dir's labeling folder, which `maslow status` observes
    assets = [build_labeling_queue(family),
              spec_versions.family_asset("labeling_specs", family.partitions_def())]
    instance = dg.DagsterInstance.ephemeral()
    for key in (QUEUE, "second"):
        assert dg.materialize(assets, selection=["labeling_queue"], partition_key=key, resources=resources,
                              instance=instance).success
    assert staleness.stale(instance, assets, resources, "labeling_queue") == {}
    original = second.read_text()
    second.write_text(original.replace("seed: 7", "seed: 8"))
    assert staleness.stale(instance, assets, resources, "labeling_queue") == {
        "second": ["has a new dependency data version (labeling_specs)"]}
    second.write_text(original)
    assert staleness.stale(instance, assets, resources, "labeling_queue") == {}
