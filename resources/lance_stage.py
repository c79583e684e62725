"""One stage, one visible outcome: datasets a stage writes together are read at versions published together.

A stage (the clean stage: clean_documents, rejected_documents, near_dup_index) commits its datasets one after
another. Its log, `<lake>/_stages.lance` (a small Lance dataset, so every append is one atomic commit, on an
object store too), holds one row per event: `begin` (a run is about to commit a partition; `versions` = each
member's version before), `end` (`committed`: every member; `rolled_back`: its commits undone) and `publish`
(`versions` = one version per member at which the members agree on every partition). Every reader opens a
member through `open_visible`, at the latest published version, so a reader never sees half a run; a dataset
no stage publishes opens at its latest version. A set is published only when no run is between its `begin`
and `end`, read before and after the versions are (no new `begin` in between). A run that dies between them
is settled by the next run of the stage, or by `maslow gc`: rolled forward when it committed every member
(its commits carry its run id), else its commits are undone (the partition put back to its `begin` versions).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pyarrow as pa

from resources import lance_datasets, lance_writes
from resources.lance_filters import compare, partition_predicate

LOG_NAME = "_stages"
UNKNOWN_RUN_GRACE_S = 3600  # a run this instance does not know (another instance) counts as dead after this
SCHEMA = pa.schema([("stage", pa.string()), ("run_id", pa.string()), ("day", pa.string()),
                    ("event", pa.string()), ("outcome", pa.string()), ("versions", pa.string()),
                    ("at", pa.float64())])
_PUBLISHED: dict[str, tuple[int, dict[str, int]]] = {}  # log uri -> (log version, latest published versions)


def open_visible(root_uri: str, name: str, version: int | str | None = None,
                 storage_options: dict | None = None):
    """Dataset `name` (`a/b` for a key path) at `version`, else at its latest published version (latest when
    no stage publishes it); None when it does not exist or a stage has not published it yet."""
    ds = lance_datasets.open_dataset(lance_datasets.dataset_uri(root_uri, name.split("/")), version,
                                     storage_options)
    if ds is None or version is not None:
        return ds
    published = visible_versions(root_uri, storage_options)
    if name not in published:
        return ds
    return None if published[name] < 0 else ds if published[name] >= ds.version else ds.checkout_version(
        published[name])


def visible_versions(root_uri: str, storage_options: dict | None = None) -> dict[str, int]:
    """Per member of any stage: its latest published version, or -1 while nothing of it was published."""
    uri = lance_datasets.dataset_uri(root_uri, [LOG_NAME])
    log = lance_datasets.open_dataset(uri, storage_options=storage_options)
    if log is None:
        return {}
    cached = _PUBLISHED.get(uri)
    if cached is None or cached[0] != log.version:
        out: dict[str, int] = {}
        for row in log.to_table(columns=["event", "versions"]).to_pylist():
            for name, v in json.loads(row["versions"]).items():
                seen = v if row["event"] == "publish" and v is not None else -1
                out[name] = max(out.get(name, -1), seen)
        _PUBLISHED[uri] = cached = (log.version, out)
    return dict(cached[1])


class StageLog:
    """The log of stage `stage` over the datasets `members` in the lake at `root_uri`."""

    def __init__(self, root_uri: str, stage: str, members: list[str], storage_options: dict | None = None):
        self.root, self.stage, self.members = root_uri.rstrip("/"), stage, members
        self.options = storage_options
        self.uri = lance_datasets.dataset_uri(self.root, [LOG_NAME])

    def rows(self) -> list[dict]:
        log = lance_datasets.open_dataset(self.uri, storage_options=self.options)
        return [] if log is None else log.to_table(filter=compare("stage", "=", self.stage)).to_pylist()

    def in_flight(self, rows: list[dict] | None = None) -> list[dict]:
        """`begin` rows without their `end`."""
        rows = self.rows() if rows is None else rows
        ended = {(r["run_id"], r["day"]) for r in rows if r["event"] == "end"}
        return [r for r in rows if r["event"] == "begin" and (r["run_id"], r["day"]) not in ended]

    def begin(self, day: str, run_id: str) -> None:
        self._append(run_id, day, "begin", None, self._latest())

    def end(self, day: str, run_id: str, outcome: str) -> None:
        self._append(run_id, day, "end", outcome, {})

    def publish(self) -> dict[str, int] | None:
        """Publishes the latest versions if no run is between begin and end; returns what is published now."""
        before = self.rows()
        if self.in_flight(before):
            return None
        latest = self._latest()
        after = self.rows()
        if self.in_flight(after) or len(after) != len(before) or None in latest.values():
            return None
        published = [json.loads(r["versions"]) for r in after if r["event"] == "publish"]
        if not published or max(published, key=lambda v: [v.get(m, -1) for m in self.members]) != latest:
            self._append("", "", "publish", None, latest)
        return latest

    def settle(self, is_alive: Callable[[str], bool | None]) -> list[str]:
        """Ends every run that died between begin and end; returns `day: outcome` for each."""
        done = []
        for entry in self.in_flight():
            alive = is_alive(entry["run_id"])
            if alive or (alive is None and time.time() - entry["at"] < UNKNOWN_RUN_GRACE_S):
                continue
            done.append(f"{entry['day']}: {self.undo(entry['day'], entry['run_id'], entry)}")
        return done

    def undo(self, day: str, run_id: str, entry: dict | None = None) -> str:
        """Ends `run_id`'s partition: rolled forward when it committed every member, else rolled back."""
        mine = [r for r in self.in_flight() if (r["run_id"], r["day"]) == (run_id, day)]
        entry = entry or mine[-1]
        before = json.loads(entry["versions"])
        committed = {m for m in self.members if self._committed_by(m, run_id, before.get(m))}
        outcome = "committed" if committed == set(self.members) else "rolled_back"
        if outcome == "rolled_back":
            for name in sorted(committed):
                self._restore(name, day, before.get(name))
        self.end(day, run_id, outcome)
        return outcome

    def finish(self, day: str, run_id: str, is_alive: Callable[[str], bool | None],
               wait_s: float = 120) -> dict[str, int] | None:
        """Ends a run that committed every member, and publishes; waits (`wait_s`) for other runs to end."""
        self.end(day, run_id, "committed")
        deadline = time.monotonic() + wait_s
        while True:
            self.settle(is_alive)
            published = self.publish()
            if published is not None or time.monotonic() > deadline:
                return published
            time.sleep(1.0)

    def _append(self, run_id: str, day: str, event: str, outcome: str | None, versions: dict) -> None:
        row = pa.table({"stage": [self.stage], "run_id": [run_id], "day": [day], "event": [event],
                        "outcome": [outcome], "versions": [json.dumps(versions, sort_keys=True)],
                        "at": [time.time()]}, schema=SCHEMA)
        lance_writes.append(self.uri, pa.RecordBatchReader.from_batches(SCHEMA, row.to_batches()),
                            {"message": f"maslow: {self.stage} {event} {day}".strip()}, self.options)

    def _open(self, name: str, version: int | None = None):
        return lance_datasets.open_dataset(lance_datasets.dataset_uri(self.root, name.split("/")), version,
                                           self.options)

    def _latest(self) -> dict[str, int | None]:
        return {name: None if (ds := self._open(name)) is None else ds.version for name in self.members}

    def _committed_by(self, name: str, run_id: str, before: int | None) -> bool:
        ds = self._open(name)
        for version in range((before or 0) + 1, 0 if ds is None else ds.version + 1):
            try:
                props = ds.read_transaction(version).transaction_properties or {}
            except (OSError, ValueError, AttributeError):  # a version cleaned up, or no transaction file
                continue
            if props.get("dagster_run_id") == run_id:
                return True
        return False

    def _restore(self, name: str, day: str, version: int | None) -> None:
        latest, old = self._open(name), None if version is None else self._open(name, version)
        if old is None:
            reader = pa.RecordBatchReader.from_batches(latest.schema, iter(()))
        else:
            scan = old.scanner(filter=partition_predicate(["day"], [(day,)])).to_reader()
            reader = pa.RecordBatchReader.from_batches(scan.schema, scan)
        uri = lance_datasets.dataset_uri(self.root, name.split("/"))
        lance_writes.replace_partitions(uri, reader, ["day"], [(day,)],
                                        {"message": f"maslow: rolled back {day} to version {version}"},
                                        self.options)


def stages(root_uri: str, storage_options: dict | None = None) -> dict[str, list[str]]:
    """Every stage in the log with its members (what `maslow gc` settles and keeps)."""
    log = lance_datasets.open_dataset(lance_datasets.dataset_uri(root_uri, [LOG_NAME]), None, storage_options)
    if log is None:
        return {}
    table = log.to_table(columns=["stage", "versions"], filter=compare("event", "=", "begin"))
    out: dict[str, set[str]] = {}
    for row in table.to_pylist():
        out.setdefault(row["stage"], set()).update(json.loads(row["versions"]))
    return {stage: sorted(members) for stage, members in out.items()}


def referenced_versions(root_uri: str, storage_options: dict | None = None) -> dict[str, set[int]]:
    """Every member version the log names (published sets, and the versions runs started from)."""
    log = lance_datasets.open_dataset(lance_datasets.dataset_uri(root_uri, [LOG_NAME]), None, storage_options)
    out: dict[str, set[int]] = {}
    for row in [] if log is None else log.to_table(columns=["versions"]).to_pylist():
        for name, v in json.loads(row["versions"]).items():
            if v is not None:
                out.setdefault(name, set()).add(int(v))
    return out

