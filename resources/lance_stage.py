"""A stage that writes several datasets commits them one after another; a journal makes it one outcome.

Before its first commit a stage records, per dataset, the version it started from
(`<lake>/_stages/<stage>/<partition>.json`); it deletes the record after its last commit. A record that is
still there belongs to a stage that died or failed between commits: `recover` puts the partition of every
dataset back to the recorded version (one replace commit each), so the datasets agree again. The stage runs
`recover` when it starts, and on its own failure. The journal lives on the local file system; on an
object-store lake it is not kept yet (`enabled` is False), so there a stage is not rolled back.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pyarrow as pa
import pyarrow.fs as pafs

from resources import lance_datasets, lance_writes
from resources.lance_filters import partition_predicate


class StageJournal:
    """The journal of one stage's partition (`day`) over `assets` in the lake at `root_uri`."""

    def __init__(self, root_uri: str, stage: str, assets: list[str], storage_options: dict | None = None):
        self.root, self.assets, self.options = root_uri.rstrip("/"), assets, storage_options
        self.enabled = "://" not in self.root or self.root.startswith("file://")
        self.fs, self.folder = pafs.LocalFileSystem(), f"{self.root.removeprefix('file://')}/_stages/{stage}"

    def _path(self, day: str) -> str:
        return f"{self.folder}/{day}.json"

    def begin(self, day: str, run_id: str) -> None:
        if not self.enabled:
            return
        versions = {}
        for name in self.assets:
            ds = lance_datasets.open_dataset(self._uri(name), storage_options=self.options)
            versions[name] = None if ds is None else ds.version
        self.fs.create_dir(self.folder, recursive=True)
        with self.fs.open_output_stream(self._path(day)) as out:
            out.write(json.dumps({"run_id": run_id, "day": day, "before": versions}).encode())

    def finish(self, day: str) -> None:
        if self.enabled:
            self.fs.delete_file(self._path(day))

    def pending(self) -> list[dict]:
        if not self.enabled:
            return []
        infos = self.fs.get_file_info(pafs.FileSelector(self.folder, allow_not_found=True))
        out = []
        for info in infos:
            if info.path.endswith(".json"):
                with self.fs.open_input_stream(info.path) as fh:
                    out.append(json.loads(fh.read()))
        return out

    def recover(self, is_alive: Callable[[str], bool | None] = lambda _run: False) -> list[str]:
        """Rolls back every partition whose stage is not running; returns the days put back."""
        done = []
        for entry in self.pending():
            if is_alive(entry["run_id"]):
                continue
            for name, version in entry["before"].items():
                self._restore(name, entry["day"], version)
            self.finish(entry["day"])
            done.append(entry["day"])
        return done

    def _uri(self, name: str) -> str:
        return lance_datasets.dataset_uri(self.root, name.split("/"))

    def _restore(self, name: str, day: str, version: int | None) -> None:
        uri = self._uri(name)
        latest = lance_datasets.open_dataset(uri, storage_options=self.options)
        if latest is None or latest.version == version:
            return
        old = None if version is None else lance_datasets.open_dataset(uri, version, self.options)
        schema = latest.schema
        if old is None:
            reader = pa.RecordBatchReader.from_batches(schema, iter(()))
        else:
            scan = old.scanner(filter=partition_predicate(["day"], [(day,)])).to_reader()
            reader = pa.RecordBatchReader.from_batches(scan.schema, scan)
        lance_writes.replace_partitions(uri, reader, ["day"], [(day,)],
                                        {"message": f"maslow: rolled back {day} to version {version}"},
                                        self.options)
