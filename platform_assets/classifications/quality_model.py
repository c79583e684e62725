"""`quality_model`: the trained text-quality classifier, stored in Lance as a versioned artifact."""

import hashlib
import heapq
from pathlib import Path

import dagster as dg
import lance
import pyarrow as pa

from platform_assets import settings
from platform_assets.processors.classifiers.ngram_model import FEATURES_VERSION, to_table
from platform_assets.processors.classifiers.quality_training import (
    TRAINING_VERSION,
    load_config,
    load_reference,
    train_quality,
)
from platform_assets.processors.hashing import hash64

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


# Requested while it has never been trained and its input exists. Not `on_missing()`: that only fires for
# partitions that go missing after automation first looks, so a fresh install would never train it. A failed
# training run is not retried tick after tick; materialize it from the UI once the cause is fixed.
TRAIN_ONCE = (
    dg.AutomationCondition.missing()
    & ~dg.AutomationCondition.in_progress()
    & ~dg.AutomationCondition.execution_failed()
    & ~dg.AutomationCondition.any_deps_missing()
    & ~dg.AutomationCondition.any_deps_in_progress()
).with_label("train_once")


@dg.asset(
    key="quality_model",
    ins={"clean_documents": dg.AssetIn(key="clean_documents")},
    io_manager_key="lance_io_manager",
    kinds={"python"},
    code_version=recipe_version(spec_path()),
    # Trained once automatically; retraining is deliberate (it makes every classified day stale).
    automation_condition=TRAIN_ONCE,
)
def quality_model(
    context: dg.AssetExecutionContext, clean_documents: lance.LanceDataset
) -> dg.Output[pa.Table]:
    """One row per trained model: hashed n-gram weights (float32 bytes), keep threshold, held-out metrics.

    Trained on the reference set (positives) against a random sample of clean documents (negatives) cut to
    the reference set's lengths, per `dbt_like_sql/quality/quality_v1.yaml`. Its data version is the
    model's content hash, so retraining to different weights makes `document_classifications` stale.
    """
    path = spec_path()
    config = load_config(path)
    positives = load_reference(config, path.parent)
    negatives = sample_texts(clean_documents, config.negatives.filter, config.negatives.max_docs, config.seed)
    model = train_quality(positives, negatives, config)
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
        metadata={"model_version": model.version, **metrics, **{f"quality/{k}": v for k, v in info.items()}},
    )


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
