"""The one IO manager: every asset is a Lance dataset at `<root_uri>/<asset key path>.lance`."""

from __future__ import annotations

from typing import Any

import dagster as dg
import lance
import pandas as pd
import pyarrow as pa

from resources import lance_datasets, lance_scans, lance_stage, lance_tags, lance_writes
from resources import lance_vectors as lv
from resources.lance_filters import PartitionKey

# Lance versions read by each (run, step), so every output of the step records exactly which input
# versions it was computed from, and how much of them it scanned (`lance/input_versions`, read by `maslow
# audit`), in its own materialization.
_READS: dict[tuple[str, str], dict[str, dict]] = {}
COLUMN_DESCRIPTIONS = "column_descriptions"  # definition metadata: {column: description}


class LanceIOManager(dg.ConfigurableIOManager):
    """Stores outputs as Lance datasets and loads inputs by their type annotation.

    Args:
        root_uri: a local path or an object-store URI (`s3://bucket/lake`) holding one dataset per asset.
        storage_options: passed to Lance for object stores (endpoint, region, credentials via EnvVar).

    Outputs may be `pa.Table`, `pa.RecordBatchReader` (streamed, bounded memory), `pd.DataFrame`, or
    `lance_writes.Fragments` that cluster workers wrote into the dataset (committed the same way).
    Partitioned assets name their partition column(s) in `partition_expr` metadata (a dict per
    dimension for multi-partitions); writing replaces exactly those partitions in one Lance commit. A run
    over a range of partitions records each partition's own `dagster/partition_row_count` and
    `lance/content_hash` on that partition's materialization.
    Inputs are `pa.Table`, `pa.RecordBatchReader` or the lazy `lance.LanceDataset`; an input's
    `columns` metadata projects, its `filter` metadata is pushed into Lance, and its `lance_version`
    metadata reads that recorded version (time travel). A `column_descriptions` metadata dict fills the
    descriptions of `dagster/column_schema`. A `vector_index` metadata dict
    (`{"column", "metric"}`) keeps an IVF_PQ index on that column, refreshed after every write.
    """

    root_uri: str
    storage_options: dict[str, str] | None = None

    # ------------------------------------------------------------------------------------ locations

    def uri_for(self, asset_key: dg.AssetKey) -> str:
        return lance_datasets.dataset_uri(self.root_uri, asset_key.path)

    def open(self, asset_key: dg.AssetKey, version: int | str | None = None):
        """The asset's dataset at a version number or tag (time travel), else its latest version a reader may
        see (a stage's datasets: the latest set published together, `lance_stage`); None if never written."""
        name = "/".join(asset_key.path)
        return lance_stage.open_visible(self.root_uri, name, version, self.storage_options)

    # --------------------------------------------------------------------------------------- output

    def handle_output(self, context: dg.OutputContext, obj: Any) -> None:
        if obj is None:
            return
        uri = self.uri_for(context.asset_key)
        keys = _partition_keys(context) if context.has_asset_partitions else None
        props = {
            "dagster_run_id": context.run_id,
            "dagster_asset_key": context.asset_key.to_user_string(),
            "dagster_partitions": ",".join("|".join(k) for k in keys or [])[:2000],
            "message": f"maslow: {context.asset_key.to_user_string()}",
        }
        columns = None if keys is None else _partition_columns(context.definition_metadata,
                                                               context.asset_partitions_def)
        if isinstance(obj, lance_writes.Fragments):  # cluster workers wrote them: committed the same way
            if keys is None or len(keys) != 1:
                raise ValueError("fragments written elsewhere replace exactly one partition")
            result = lance_writes.commit_fragments(uri, obj, columns, keys[0], props, self.storage_options)
        elif keys is None:
            result = lance_writes.overwrite(uri, _as_reader(obj), props, self.storage_options)
        else:
            result = lance_writes.replace_partitions(uri, _as_reader(obj), columns, keys, props,
                                                     self.storage_options)
        ds = lance.dataset(uri, storage_options=self.storage_options)
        part = "" if not keys else "-".join(keys[0]) + (f"+{len(keys) - 1}" if len(keys) > 1 else "")
        tag_name = lance_tags.tag_name("dagster", context.run_id[:8], part)
        try:
            tag = lance_tags.tag_version(ds, tag_name, result.version)
        except Exception as e:  # committed is committed: a failed tag (full disk) never fails the output;
            tag = f"not tagged ({e})"  # `maslow gc` re-tags every recorded version before cleanup
            context.log.warning(f"{context.asset_key.to_user_string()}: version {result.version} committed, "
                                f"but tagging it failed: {e}")
        metadata: dict[str, Any] = {
            "dagster/uri": dg.MetadataValue.path(uri),
            "dagster/table_name": "__".join(context.asset_key.path).lower(),
            "dagster/row_count": result.total_rows,
            "dagster/column_schema": table_schema(
                result.schema, _plain(context.definition_metadata.get(COLUMN_DESCRIPTIONS))),
            "lance/version": result.version,
            "lance/tag": tag,
        }
        if result.content_hash is not None:
            metadata["lance/content_hash"] = result.content_hash
        if keys is not None and len(keys) == 1:
            metadata["dagster/partition_row_count"] = result.rows_written
        elif keys is not None:  # a range in one run: each partition's materialization gets its own
            _add_partition_metadata(context, result.partitions)
        index = lv.IndexSpec.from_metadata(_plain(context.definition_metadata.get("vector_index")))
        if index is not None:
            metadata["lance/vector_index"] = dg.MetadataValue.json(
                lv.refresh_index(uri, index, self.storage_options))
        reads = _READS.get((context.run_id, context.step_key))
        if reads:
            metadata["lance/input_versions"] = dg.MetadataValue.json(reads)
        context.add_output_metadata(metadata)

    # ---------------------------------------------------------------------------------------- input

    def load_input(self, context: dg.InputContext) -> Any:
        upstream = context.upstream_output
        meta = {**(upstream.definition_metadata if upstream else {}), **(context.definition_metadata or {})}
        wanted = context.dagster_type.typing_type
        version = meta.get("lance_version")
        ds = self.open(context.asset_key, _written_by_run(context) if version is None else version)
        if ds is None:
            raise FileNotFoundError(f"{context.asset_key.to_user_string()}: no Lance dataset at "
                                    f"{self.uri_for(context.asset_key)}; materialize it first")
        keys = _partition_keys(context) if context.has_asset_partitions else None
        if keys is not None and len(keys) >= _partition_count(context):
            keys = None  # every partition: no predicate needed
        if wanted is lance.LanceDataset:
            _record_read(context, ds.version, keys)
            return ds
        columns = meta.get("columns")
        part_cols = (_partition_columns(meta, context.asset_partitions_def) if keys is not None else [])
        selection = lance_scans.select_partitions(ds, part_cols, keys, meta.get("filter"))
        _record_read(context, ds.version, keys, rows_scanned=selection.rows_scanned,
                     fragments_scanned=len(selection.fragments))
        streaming = wanted is pa.RecordBatchReader
        batch_size = meta.get("batch_size", 4096 if streaming else None)
        scan = lance_scans.scanner(ds, selection, columns, batch_size=batch_size, streaming=streaming)
        reader = lance_scans.empty_reader(ds, columns) if scan is None else scan.to_reader()
        if wanted is pa.RecordBatchReader:
            return reader
        table = reader.read_all()
        return table.to_pandas() if wanted is pd.DataFrame else table


def _add_partition_metadata(context: dg.OutputContext, partitions: dict[PartitionKey, tuple[int, str]]):
    """Row count and content hash per partition, so `maslow audit --verify` can re-hash any one of them.

    Dagster gives every partition of a range the output's metadata; partition-scoped asset metadata
    (the step's `add_asset_metadata`, which `AssetExecutionContext` exposes) overrides it per partition.
    """
    try:
        step = context.step_context
    except dg.DagsterInvariantViolationError:  # built outside a run (build_output_context): no events
        return
    by_key = dict(zip(_partition_keys(context), context.asset_partition_keys, strict=True))
    for key, (rows, digest) in partitions.items():
        step.add_asset_metadata(
            {"dagster/partition_row_count": rows, "lance/content_hash": digest},
            asset_key=context.asset_key, partition_key=by_key[key],
        )


def _written_by_run(context: dg.InputContext) -> int | None:
    """The version of the input this run wrote itself (read your own writes: a stage's checks and the steps
    after it see its outputs even before they are published); None when another run wrote it."""
    try:
        run_id = context.step_context.run_id
    except dg.DagsterInvariantViolationError:  # built outside a run (build_input_context)
        return None
    records = context.instance.get_records_for_run(
        run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION).records
    versions = [m.metadata["lance/version"].value for r in records
                if (m := r.event_log_entry.asset_materialization) is not None
                and m.asset_key == context.asset_key and "lance/version" in m.metadata]
    return max(versions, default=None)


def _partition_count(context: dg.InputContext) -> int:
    """How many partitions the input asset has; dynamic partitions are kept by the run's instance."""
    try:
        store = context.instance
    except dg.DagsterInvariantViolationError:  # built outside a run (build_input_context)
        store = None
    return len(context.asset_partitions_def.get_partition_keys(dynamic_partitions_store=store))


def _record_read(context: dg.InputContext, version: int, keys: list[PartitionKey] | None,
                 **scan: int) -> None:
    """Notes what the step read (version, partitions, rows and fragments scanned) for its outputs' own
    `lance/input_versions` metadata. Not `add_input_metadata`: Dagster turns that into an observation event
    on the upstream asset for every read, which floods its Events tab."""
    try:
        step = context.step_context
    except Exception:  # built outside a run (build_input_context): nothing to link
        return
    reads = _READS.setdefault((step.run_id, step.step.key), {})
    reads[context.asset_key.to_user_string()] = {
        "version": version, "partitions": None if keys is None else ["|".join(k) for k in keys], **scan,
    }


def _plain(value: Any) -> Any:
    """A definition-metadata value as written in the asset's code (Dagster may wrap a dict as JSON)."""
    return getattr(value, "data", value)


def _as_reader(obj: Any) -> pa.RecordBatchReader:
    if isinstance(obj, pa.RecordBatchReader):
        return obj
    if isinstance(obj, pa.Table):
        return pa.RecordBatchReader.from_batches(obj.schema, obj.to_batches())
    if isinstance(obj, pd.DataFrame):
        return _as_reader(pa.Table.from_pandas(obj, preserve_index=False))
    if isinstance(obj, pa.RecordBatch):
        return pa.RecordBatchReader.from_batches(obj.schema, [obj])
    raise TypeError(f"LanceIOManager stores pa.Table, pa.RecordBatchReader or pd.DataFrame, not {type(obj)}")


def _partition_columns(metadata: dict, partitions_def: dg.PartitionsDefinition | None) -> list[str]:
    expr = (metadata or {}).get("partition_expr")
    if expr is None:
        raise ValueError(
            "a partitioned asset stored by LanceIOManager needs metadata={'partition_expr': <column>}"
        )
    if isinstance(partitions_def, dg.MultiPartitionsDefinition):
        if not isinstance(expr, dict):
            raise ValueError("multi-partitioned assets need partition_expr as {dimension: column}")
        return [expr[d.name] for d in partitions_def.partitions_defs]
    return [expr]


def _partition_keys(context: dg.InputContext | dg.OutputContext) -> list[PartitionKey]:
    pdef = context.asset_partitions_def
    keys = context.asset_partition_keys
    if isinstance(pdef, dg.MultiPartitionsDefinition):
        dims = [d.name for d in pdef.partitions_defs]
        by_dim = [pdef.get_partition_key_from_str(str(k)).keys_by_dimension for k in keys]
        return [tuple(kd[d] for d in dims) for kd in by_dim]
    return [(k,) for k in keys]


def table_schema(schema: pa.Schema, descriptions: dict[str, str] | None = None) -> dg.TableSchema:
    """The UI's column table: name, Arrow type and, where the asset's `column_descriptions` definition
    metadata (from its processor's schema docs or its spec header) has one, the column's description."""
    docs = descriptions or {}
    return dg.TableSchema(columns=[dg.TableColumn(f.name, str(f.type), description=docs.get(f.name))
                                   for f in schema])
