"""`human_labels`: every annotation ever imported, append-only; one tagged Lance commit per import."""

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import pyarrow as pa

from platform_assets import settings
from platform_assets.labeling import spec as specs
from platform_assets.partitions import QUEUE_METADATA, queue_partitions, queues
from platform_assets.processors.labeling import annotations
from resources.lance_datasets import ensure_dataset, open_dataset
from resources.lance_filters import sql_literal
from resources.lance_io_manager import LanceIOManager
from resources.lance_tags import tag_version
from resources.lance_writes import WriteResult, append

IMPORT_VERSION = "1"


def labels_dir(queue: str) -> Path:
    return annotations.labels_dir(settings.landing_dir(), queue)


labels_tag = annotations.labels_tag


def import_labels(
    io: LanceIOManager, queue: str, files: list[Path], question: specs.Question, run_id: str = ""
) -> tuple[int, int, WriteResult | None]:
    """Appends the annotations in `files` that `human_labels` lacks as label version N (one commit, tagged
    `labels-<queue>-v<N>`); returns (N, rows added, the write or None when nothing was new)."""
    uri = io.uri_for(dg.AssetKey("human_labels"))
    ds = open_dataset(uri, storage_options=io.storage_options)
    known, version = set(), 0
    if ds is not None:
        seen = ds.to_table(
            columns=["annotation_key", "labels_version"], filter=f"queue = {sql_literal(queue)}"
        )
        known = set(seen.column("annotation_key").to_pylist())
        version = max(seen.column("labels_version").to_pylist(), default=0)
    rows = [r for f in files for r in annotations.read_file(f, queue, question.name, question.answers())]
    table = annotations.new_rows(rows, known, version + 1, datetime.now(UTC))
    if table.num_rows == 0:
        if ds is None:  # an empty dataset, so adjudicated_labels can read a queue nobody labeled yet
            ensure_dataset(uri, annotations.LABEL_SCHEMA, io.storage_options)
        return version, 0, None
    props = {"dagster_run_id": run_id, "dagster_asset_key": "human_labels", "dagster_partitions": queue}
    written = append(
        uri, pa.RecordBatchReader.from_batches(table.schema, table.to_batches()), props, io.storage_options
    )
    ds = open_dataset(uri, storage_options=io.storage_options)
    tag_version(ds, labels_tag(queue, version + 1), written.version)
    return version + 1, table.num_rows, written


@dg.asset(
    key="human_labels",
    partitions_def=queue_partitions,
    metadata=QUEUE_METADATA,
    io_manager_key="lance_io_manager",
    required_resource_keys={"lance_io_manager"},
    kinds={"lance", "python"},
    code_version=IMPORT_VERSION,
    deps=[dg.AssetDep("labeling_queue")],
)
def human_labels(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """One annotation per row: annotator, answer, lead time, cancelled flag, the suggestion the annotator saw
    (label, score, model_version), created/updated/imported timestamps, source file and `labels_version`.

    Reads every file in `<landing>/_labels/<queue>/` (Label Studio JSON exports, JSONL). Append-only: an
    import adds only annotations not stored yet, as one Lance commit tagged `labels-<queue>-v<N>`;
    re-importing the same files adds nothing and makes no commit. Partition = queue.
    """
    queue = context.partition_key
    spec = queues.spec(queue)
    io: LanceIOManager = context.resources.lance_io_manager
    files = annotations.label_files(labels_dir(queue))
    version, added, written = import_labels(io, queue, files, spec.question, context.run_id)
    meta: dict = {
        "labels/version": version,
        "labels/new_rows": added,
        "labels/files": len(files),
        "dagster/uri": io.uri_for(context.asset_key),
    }
    if version:
        tag = labels_tag(queue, version)
        ds = io.open(context.asset_key, tag)
        meta.update(
            {
                "labels/tag": tag,
                "lance/tag": tag,
                "lance/version": ds.version,
                "dagster/partition_row_count": ds.count_rows(f"queue = {sql_literal(queue)}"),
                "dagster/row_count": ds.count_rows(),
            }
        )
    context.log.info(f"{queue}: {added} new annotations from {len(files)} files; label version {version}")
    return dg.MaterializeResult(
        metadata=meta,
        data_version=dg.DataVersion(hashlib.sha256(f"{queue}\0{version}".encode()).hexdigest()[:24]),
    )
