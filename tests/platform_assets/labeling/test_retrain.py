"""quality_model retrained with the adjudicated labels of a pinned label version."""

from __future__ import annotations

import shutil

import dagster as dg
import lance
import pyarrow as pa

from platform_assets import settings
from platform_assets.classifications.quality_model import quality_model, recipe_version
from platform_assets.cli.lineage import audit
from platform_assets.processors.classifiers import synthetic_web
from platform_assets.processors.labeling.adjudicate import ADJUDICATED_SCHEMA
from resources.lance_io_manager import LanceIOManager
from tests.platform_assets.classifications.test_classification_assets import CLEAN, DAY, _write_clean

QUEUE = "quality_review"


def write_labels(lake: str, texts: list[str], labels: list[str], slices: list[str]) -> None:
    """What an import and adjudication leave behind: a tagged human_labels version, adjudicated rows."""
    ds = lance.write_dataset(
        pa.table({"queue": [QUEUE], "labels_version": pa.array([1], pa.int32())}),
        f"{lake}/human_labels.lance",
    )
    ds.tags.create(f"labels-{QUEUE}-v1", ds.version)
    n = len(texts)
    rows = [
        {
            "queue": QUEUE,
            "labels_version": 1,
            "item_id": f"i{i}",
            "label": labels[i],
            "status": "majority",
            "agreement": 1.0,
            "annotations": 2,
            "answers": "{}",
            "slice": slices[i],
            "suggestion_label": None,
            "text": texts[i],
        }
        for i in range(n)
    ]
    lance.write_dataset(
        pa.Table.from_pylist(rows, schema=ADJUDICATED_SCHEMA), f"{lake}/adjudicated_labels.lance"
    )


def test_pinned_labels_are_trained_on_and_gold_accuracy_reported(maslow_home, tmp_path, monkeypatch):
    lake = str(maslow_home / "lake")
    _write_clean(lake)
    io = LanceIOManager(root_uri=lake)
    resources = {"lance_io_manager": io, "io_manager": io}
    with dg.DagsterInstance.ephemeral() as instance:
        first = (
            dg.materialize(
                [CLEAN, quality_model], selection=[quality_model], resources=resources, instance=instance
            )
            .asset_materializations_for_node("quality_model")[0]
            .metadata
        )
        assert "not imported" in first["labels/status"].value
        docs = synthetic_web.documents(80, seed=11, mean_chars=600, day=DAY).to_pylist()
        texts = [d["text"] for d in docs]
        truth = ["low" if d["domain"] == "prose" and "CLICK" in d["text"].upper() else "high" for d in docs]
        write_labels(lake, texts, truth, ["random" if i % 4 == 0 else "uncertainty" for i in range(80)])
        second = (
            dg.materialize(
                [CLEAN, quality_model], selection=[quality_model], resources=resources, instance=instance
            )
            .asset_materializations_for_node("quality_model")[0]
            .metadata
        )
        tree = audit.render(audit.audit(instance, "quality_model"))
        assert tree.splitlines()[0].startswith("quality_model") and f"labels labels-{QUEUE}-v1" in tree
    assert second["labels/status"].value == "used" and second["labels/tag"].value == f"labels-{QUEUE}-v1"
    assert second["labels/positives"].value + second["labels/negatives"].value == 60
    assert second["labels/gold_items"].value == 20
    assert 0.0 <= second["labels/gold_accuracy_before"].value <= 1.0
    assert 0.0 <= second["labels/gold_accuracy_after"].value <= 1.0
    assert second["labels/model_version_before"].value == first["model_version"].value
    assert second["inputs/adjudicated_labels/partitions"].value == [QUEUE]
    assert second["inputs/human_labels/lance_tag"].value == f"labels-{QUEUE}-v1"


def test_editing_the_label_version_changes_the_recipe_version(tmp_path, monkeypatch):
    specs = tmp_path / "specs"
    shutil.copytree(settings.SPEC_DIR / "quality", specs / "quality")
    recipe = specs / "quality" / "quality_v1.yaml"
    before = recipe_version(recipe)
    recipe.write_text(recipe.read_text().replace("version: 1", "version: 2"))
    assert recipe_version(recipe) != before
