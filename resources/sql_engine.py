"""The `sql_engine` resource's interface: DuckDB-dialect SQL with `{{ ref('asset') }}` over the lake.

`DuckDBEngine` (resources/duckdb_engine.py, the default) and `TrinoEngine` (resources/trino_engine.py)
implement it; both see the Lance lake directly to read and pin input versions (`LakeMixin`).
"""

from __future__ import annotations

from collections.abc import Mapping

import dagster as dg
import pyarrow as pa

from resources.lance_datasets import dataset_uri
from resources.lance_stage import open_visible
from resources.lance_tags import tag_name, tag_version

BATCH_ROWS = 64 * 1024


class SqlEngine(dg.ConfigurableResource):
    """The `sql_engine` resource: runs DuckDB-dialect SQL with `{{ ref('asset') }}` over the lake."""

    def query(
        self, sql: str, *, versions: Mapping[str, int] | None = None,
        ref_filters: Mapping[str, str] | None = None,
    ) -> pa.RecordBatchReader:
        raise NotImplementedError

    def schema(self, name: str) -> pa.Schema | None:
        """The Arrow schema of asset `name`'s dataset, or None when it was never materialized."""
        raise NotImplementedError

    def current_versions(self, names: list[str]) -> dict[str, int]:
        """Latest Lance version of each named asset that exists (pin these to read one snapshot)."""
        raise NotImplementedError

    def pin_versions(self, versions: Mapping[str, int], tag: str) -> dict[str, str]:
        """Tags each `{asset: version}` so Lance cleanup keeps it; returns {asset: tag}."""
        raise NotImplementedError


def input_metadata(versions: Mapping[str, int], pinned: Mapping[str, str]) -> dict[str, int | str]:
    """`inputs/<asset>/lance_version` (and `lance_tag` where pinned) for the versions a run read: the
    entries `maslow audit` follows (platform_assets/cli/lineage/audit.py)."""
    meta: dict[str, int | str] = {}
    for asset, version in sorted(versions.items()):
        meta[f"inputs/{asset}/lance_version"] = version
        if asset in pinned:
            meta[f"inputs/{asset}/lance_tag"] = pinned[asset]
    return meta


class LakeMixin:
    """Shared by engines that can see the Lance lake directly."""

    def _lake_root(self) -> str:
        root = getattr(self, "root_uri", None) or getattr(self, "lake_uri", None)
        if not root:
            raise ValueError(f"{type(self).__name__} needs the lake root (root_uri or lake_uri)")
        return root

    def dataset_uri(self, name: str) -> str:
        """Where asset `name`'s Lance dataset lives (whether or not it exists yet)."""
        return dataset_uri(self._lake_root(), name.split("/"))

    def dataset(self, name: str, version: int | str | None = None):
        """Asset `name`'s Lance dataset at a version or tag, else its latest version a reader may see (for a
        stage's datasets, the set published together: `lance_stage`); None when never materialized."""
        return open_visible(self._lake_root(), name, version, getattr(self, "storage_options", None))

    def schema(self, name: str) -> pa.Schema | None:
        ds = self.dataset(name)
        return None if ds is None else ds.schema

    def current_versions(self, names: list[str]) -> dict[str, int]:
        return {n: ds.version for n in names if (ds := self.dataset(n)) is not None}

    def pin_versions(self, versions: Mapping[str, int], tag: str) -> dict[str, str]:
        pinned = {}
        for name, version in versions.items():
            ds = self.dataset(name)
            if ds is not None:
                pinned[name] = tag_version(ds, tag_name(tag), int(version))
        return pinned
