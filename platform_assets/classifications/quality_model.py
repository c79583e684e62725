"""`quality_model`: the trained text-quality classifier, stored in Lance as a versioned artifact."""

import hashlib
import heapq
from pathlib import Path

import dagster as dg
import lance
import pyarrow as pa

from platform_assets import settings
from platform_assets.policies import BUILD_ONCE
from platform_assets.processors.classifiers.ngram_model import FEATURES_VERSION, from_table, to_table
from platform_assets.processors.classifiers.quality_training import (
    TRAINING_VERSION,
    LabelsConfig,
    load_config,
    load_reference,
    train_quality,
)
from platform_assets.processors.hashing import hash64
from platform_assets.processors.labeling import training as label_training
from platform_assets.processors.labeling.annotations import labels_tag
from resources.lance_filters import sql_literal
from resources.lance_io_manager import LanceIOManager

SPEC = "quality/quality_v1.yaml"


def spec_path() -> Path:
    return settings.spec_dir() / SPEC


def recipe_version(path: Path) -> str:
    """Hash of the recipe, its reference files, the featurizer and the training code's version: any change
    marks the model stale."""
    h = hashlib.sha256(f"{FEATURES_VERSION}|{TRAINING_VERSION}".encode())
    if path.exists():
        h.update(path.read_bytes())
        for pattern in load_config(path).reference:
            for f in sorted(path.parent.glob(pattern)):
                h.update(f.read_bytes())
    return h.hexdigest()[:12]


@dg.asset(
    key="quality_model",
    ins={"clean_documents": dg.AssetIn(key="clean_documents")},
    io_manager_key="lance_io_manager",
    kinds={"python"},
    code_version=recipe_version(spec_path()),
    # Trained once automatically; retraining is deliberate (it makes every classified day stale).
    automation_condition=BUILD_ONCE,
    required_resource_keys={"lance_io_manager"},
)
def quality_model(
    context: dg.AssetExecutionContext, clean_documents: lance.LanceDataset
) -> dg.Output[pa.Table]:
    """One row per trained model: hashed n-gram weights (float32 bytes), keep threshold, held-out metrics.

    Trained on the reference set (positives) against a random sample of clean documents (negatives) cut to
    the reference set's lengths, per `dbt_like_sql/quality/quality_v1.yaml`. Its data version is the
    model's content hash, so retraining to different weights makes `document_classifications` stale.
    When the recipe names a labeling queue (`labels`), the adjudicated labels of its pinned label version
    are extra positives and negatives (read straight from Lance: a declared edge would close a cycle, as
    the queue samples this model's scores), and accuracy on the queue's gold slice is reported before
    (the stored model) and after; the version is recorded, and editing it in the recipe marks this stale.
    """
    path = spec_path()
    config = load_config(path)
    io: LanceIOManager = context.resources.lance_io_manager
    positives = load_reference(config, path.parent)
    negatives = sample_texts(clean_documents, config.negatives.filter, config.negatives.max_docs, config.seed)
    labeled, label_meta = human_labels(io, config.labels, context.log)
    model = train_quality(positives + labeled.positives, negatives + labeled.negatives, config)
    if config.labels is not None:
        label_meta.update(gold_accuracy(io, model, labeled))
    info = {
        "spec": SPEC,
        "recipe_version": recipe_version(path),
        "reference_docs": len(positives),
        "negative_docs": len(negatives),
        "clean_documents_version": clean_documents.version,
    }
    metrics = {f"quality/{k}": (float(v) if isinstance(v, float) else v) for k, v in model.metrics.items()}
    return dg.Output(
        to_table(model, config.model, info),
        data_version=dg.DataVersion(model.version),
        metadata={"model_version": model.version, **metrics, **{f"quality/{k}": v for k, v in info.items()},
                  **label_meta},
    )


def human_labels(io: LanceIOManager, cfg: LabelsConfig | None, log
                 ) -> tuple[label_training.LabeledTexts, dict]:
    """The pinned label version's adjudicated labels as texts, and the metadata `maslow audit` follows."""
    empty = label_training.split([], [], [])
    if cfg is None:
        return empty, {}
    tag = labels_tag(cfg.queue, cfg.version)
    meta: dict = {"labels/queue": cfg.queue, "labels/version": cfg.version, "labels/tag": tag}
    store, adjudicated = io.open(dg.AssetKey("human_labels")), io.open(dg.AssetKey("adjudicated_labels"))
    where = f"queue = {sql_literal(cfg.queue)} AND labels_version = {cfg.version}"
    ready = store is not None and tag in store.tags.list() and adjudicated is not None
    if not ready or not adjudicated.count_rows(where):
        status = (f"{tag} is not imported and adjudicated yet: trained without labels (import labels, "
                  f"materialize adjudicated_labels[{cfg.queue}], then retrain)")
        log.warning(status)
        return empty, {**meta, "labels/status": status}
    labeled = label_training.split(adjudicated.to_table(filter=where).to_pylist(), cfg.positive, cfg.negative)
    meta.update({
        "labels/status": "used", "labels/positives": len(labeled.positives),
        "labels/negatives": len(labeled.negatives), "labels/gold_items": len(labeled.gold_texts),
        "inputs/adjudicated_labels/lance_version": adjudicated.version,
        "inputs/adjudicated_labels/partitions": [cfg.queue],
        "inputs/human_labels/lance_version": store.tags.list()[tag]["version"],
        "inputs/human_labels/lance_tag": tag, "inputs/human_labels/partitions": [cfg.queue],
    })
    return labeled, meta


def gold_accuracy(io: LanceIOManager, model, labeled: label_training.LabeledTexts) -> dict:
    """Accuracy on the gold slice of the model stored before this run and of the one just trained."""
    if not labeled.gold_texts:
        return {}
    texts = pa.array(labeled.gold_texts, pa.large_string())
    out = {"labels/gold_accuracy_after": label_training.accuracy(model.predict_proba(texts), model.threshold,
                                                                 labeled.gold_truth)}
    stored = io.open(dg.AssetKey("quality_model"))
    if stored is not None and stored.count_rows():
        before = from_table(stored.to_table())
        out["labels/gold_accuracy_before"] = label_training.accuracy(
            before.predict_proba(texts), before.threshold, labeled.gold_truth)
        out["labels/model_version_before"] = before.version
    return out


def sample_texts(ds: lance.LanceDataset, flt: str | None, k: int, seed: int) -> list[str]:
    """A uniform sample of `k` texts matching `flt`: the `k` smallest doc_id hashes (bottom-k), streamed."""
    heap: list[tuple[int, str]] = []  # max-heap by negated hash
    for batch in ds.to_batches(columns=["doc_id", "text"], filter=flt):
        ids = [str(d) for d in batch.column("doc_id").to_pylist()]
        texts = batch.column("text").to_pylist()
        for h, text in zip(hash64(ids, seed, len(ids)).tolist(), texts, strict=True):
            if not text:
                continue
            if len(heap) < k:
                heapq.heappush(heap, (-h, text))
            elif -heap[0][0] > h:
                heapq.heapreplace(heap, (-h, text))
    return [text for _, text in sorted(heap, reverse=True)]
