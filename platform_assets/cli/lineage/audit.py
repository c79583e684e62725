"""`maslow audit`: the upstream tree of one materialization, joined across Dagster and Lance.

Dagster holds the materialization history (run id, code version, metadata); the Lance IO manager
records, on every materialization, the Lance version it wrote, its content hash and the exact Lance
versions of every input it read (`lance/input_versions`). An audit walks those links upstream; `verify`
re-opens each pinned Lance version, recomputes the content hash and compares.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

import dagster as dg

from resources import lance_scans
from resources.lance_io_manager import LanceIOManager


@dataclass
class AuditNode:
    asset: str
    partition: str | None
    lance_version: int | None
    run_id: str
    code_version: str | None
    spec_hash: str | None
    row_count: int | None
    partition_row_count: int | None
    timestamp: str
    uri: str | None
    content_hash: str | None
    labels_tag: str | None = None  # the human label version a model was trained on (labels-<queue>-v<N>)
    inputs: list[AuditNode] = field(default_factory=list)
    verified: bool | None = None
    problem: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)

    def rows(self) -> str:
        """This node's own row count: the partition's for a partition (0 is 0), else the dataset's."""
        if self.partition is None:
            return "-" if self.row_count is None else str(self.row_count)
        if self.partition_row_count is not None:
            return str(self.partition_row_count)
        return "?" if self.row_count is None else f"? (dataset {self.row_count})"

    def walk(self):
        yield self
        for child in self.inputs:
            yield from child.walk()


def _meta(record) -> dict:
    return {k: v.value for k, v in record.asset_materialization.metadata.items()}


def _node(record) -> AuditNode:
    mat, meta = record.asset_materialization, _meta(record)
    return AuditNode(
        asset=mat.asset_key.to_user_string(), partition=mat.partition,
        lance_version=meta.get("lance/version"), run_id=record.run_id,
        code_version=mat.tags.get("dagster/code_version") if mat.tags else None,
        spec_hash=next((str(v) for k, v in meta.items() if k.split("/")[-1] == "spec_hash"), None),
        row_count=meta.get("dagster/row_count"), partition_row_count=meta.get("dagster/partition_row_count"),
        timestamp=datetime.fromtimestamp(record.timestamp, UTC).isoformat(timespec="seconds"),
        uri=str(meta["dagster/uri"]) if "dagster/uri" in meta else None,
        content_hash=meta.get("lance/content_hash"),
        labels_tag=str(meta["labels/tag"]) if meta.get("labels/status") == "used" else None,
    )


def latest_record(instance: dg.DagsterInstance, key: dg.AssetKey, partition: str | None = None,
                  max_lance_version: int | None = None):
    """The newest materialization of `key` (one partition), optionally at or before a Lance version."""
    flt = dg.AssetRecordsFilter(asset_key=key, asset_partitions=[partition] if partition else None)
    cursor = None
    while True:
        page = instance.fetch_materializations(flt, limit=100, cursor=cursor)
        for record in page.records:
            version = _meta(record).get("lance/version")
            if max_lance_version is None or (version is not None and version <= max_lance_version):
                return record
        if not page.has_more:
            return None
        cursor = page.cursor


def audit(
    instance: dg.DagsterInstance, asset: str, partition: str | None = None, depth: int = 20
) -> AuditNode:
    """The lineage tree of the latest materialization of `asset` (and `partition`)."""
    record = latest_record(instance, dg.AssetKey.from_user_string(asset), partition)
    if record is None:
        where = f" partition {partition}" if partition else ""
        raise LookupError(f"{asset}{where} has never been materialized")
    return _expand(instance, record, depth)


def _expand(instance: dg.DagsterInstance, record, depth: int) -> AuditNode:
    node = _node(record)
    if depth <= 0:
        return node
    for upstream, read in sorted(_reads(_meta(record)).items()):
        key = dg.AssetKey.from_user_string(upstream)
        known = instance.get_materialized_partitions(key)
        if not known:  # an unpartitioned input, whatever rows were filtered
            partitions = [None]
        else:
            partitions = read.get("partitions") or sorted(known)
        for part in partitions:
            up = latest_record(instance, key, part, max_lance_version=read["version"])
            if up is not None:
                node.inputs.append(_expand(instance, up, depth - 1))
    return node


def _reads(meta: dict) -> dict[str, dict]:
    """Inputs read: the IO manager's `lance/input_versions`, plus `inputs/<asset>/lance_version` entries
    recorded by assets that read through the SQL engine at a pinned version (every partition, or those
    listed in `inputs/<asset>/partitions`)."""
    reads = dict(meta.get("lance/input_versions") or {})
    for key, value in meta.items():
        parts = key.split("/")
        if len(parts) == 3 and parts[0] == "inputs" and parts[2] == "lance_version":
            partitions = meta.get(f"inputs/{parts[1]}/partitions")
            reads.setdefault(parts[1], {"version": int(value), "partitions": partitions})
    return reads


def verify(tree: AuditNode, io: LanceIOManager, partition_columns: dict[str, list[str]]) -> list[AuditNode]:
    """Re-reads every pinned version in the tree; returns the nodes whose content no longer matches."""
    bad, seen = [], {}
    for node in tree.walk():
        ident = (node.asset, node.partition, node.lance_version)
        if ident in seen:  # the same materialization reached by another path
            node.verified, node.problem = seen[ident].verified, seen[ident].problem
            continue
        seen[ident] = node
        if node.lance_version is None or node.content_hash is None:
            node.verified, node.problem = False, "no pinned Lance version or content hash recorded"
            bad.append(node)
            continue
        try:
            ds = io.open(dg.AssetKey.from_user_string(node.asset), node.lance_version)
            if ds is None:
                raise FileNotFoundError(f"version {node.lance_version} is gone")
            cols = partition_columns.get(node.asset) or []
            keys = [tuple(node.partition.split("|"))] if node.partition and cols else None
            digest = lance_scans.partition_hash(ds, cols, keys)
            node.verified = digest == node.content_hash
            if not node.verified:
                node.problem = f"content hash {digest} != recorded {node.content_hash}"
        except Exception as e:  # a corrupt or missing file is a failed verification, not a crash
            node.verified, node.problem = False, f"{type(e).__name__}: {e}"
        if not node.verified:
            bad.append(node)
    return bad


def render(tree: AuditNode) -> str:
    lines: list[str] = []
    shown: set[tuple] = set()

    def visit(node: AuditNode, prefix: str, last: bool, root: bool) -> None:
        head = "" if root else prefix + ("└─ " if last else "├─ ")
        part = f" [{node.partition}]" if node.partition else ""
        mark = {True: "  ✓ verified", False: f"  ✗ {node.problem}", None: ""}[node.verified]
        lines.append(
            f"{head}{node.asset}{part}  lance v{node.lance_version}  run {node.run_id[:8]}  "
            f"code {node.code_version or '-'}  rows {node.rows()}  "
            f"{node.timestamp}" + (f"  spec {node.spec_hash[:12]}" if node.spec_hash else "")
            + (f"  labels {node.labels_tag}" if node.labels_tag else "") + mark
        )
        ident = (node.asset, node.partition, node.lance_version)
        if ident in shown and node.inputs:
            lines[-1] += "  (inputs shown above)"
            return
        shown.add(ident)
        child_prefix = "" if root else prefix + ("   " if last else "│  ")
        for i, child in enumerate(node.inputs):
            visit(child, child_prefix, i == len(node.inputs) - 1, False)

    visit(tree, "", True, True)
    return "\n".join(lines)
