"""The in-process classifier stack: build it once, then score record batches into classification rows.

Pure functions over Arrow, so a process pool or Ray can map `classify_batch` over batches unchanged.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import pyarrow as pa

from platform_assets.processors import domain
from platform_assets.processors.classifiers import ngram_model, registry
from platform_assets.processors.classifiers.base import Classifier
from platform_assets.processors.classifiers.ngram_model import FEATURES_VERSION, NgramModel

DEFAULT_CLASSIFIERS = (
    "quality_v1",
    "domain_v1",
    "difficulty_math_v1",
    "difficulty_code_v1",
    "difficulty_mc_v1",
)
KEY_COLUMNS = ("doc_id", "day")
_built: dict[tuple, list[Classifier]] = {}  # per worker process: (names, model version) -> stack


def build_stack(
    names: Sequence[str] = DEFAULT_CLASSIFIERS, model: NgramModel | None = None
) -> list[Classifier]:
    needs = {"model": model} if model is not None else {}
    return [
        registry.build(name, **{k: v for k, v in needs.items() if k in registry.classifier_class(name).needs})
        for name in names
    ]


def stack_version(names: Sequence[str]) -> str:
    """Changes when the classifier list or the shared domain detector changes (behaviour changes of one
    classifier mean a new `_vN` name)."""
    return hashlib.sha256("|".join([FEATURES_VERSION, domain.VERSION, *names]).encode()).hexdigest()[:12]


def output_schema(stack: Sequence[Classifier], keys: Sequence[pa.Field]) -> pa.Schema:
    fields = list(keys)
    for clf in stack:
        fields += list(clf.schema())
    return pa.schema(fields)


def classify_batch(
    batch: pa.RecordBatch, stack: Sequence[Classifier], keys: Sequence[str] = KEY_COLUMNS
) -> pa.RecordBatch:
    """One output row per input row: the key columns, then every classifier's columns.

    Each classifier also sees the columns of those before it: the difficulty classifiers read
    `label__domain_v1` instead of running the domain detector again.
    """
    cols = {k: batch.column(k) for k in keys if k in batch.schema.names}
    for clf in stack:
        out = clf.apply(batch)
        cols.update(out)
        for name, arr in out.items():
            batch = batch.append_column(name, arr)
    return pa.RecordBatch.from_pydict(cols)


def classify_on_worker(batch: pa.RecordBatch, names: Sequence[str], model_table: pa.Table | None
                       ) -> pa.RecordBatch:
    """`classify_batch` for an executor task: the stack is built once per process and model version."""
    version = model_table.column("model_version")[0].as_py() if model_table is not None else None
    key = (tuple(names), version)
    if key not in _built:
        model = ngram_model.from_table(model_table) if model_table is not None else None
        _built.clear()
        _built[key] = build_stack(names, model)
    return classify_batch(batch, _built[key])
