"""Spec versions per partition: a partition is stale when what it reads of the specs changed, not any spec.

Dagster keeps one code version per asset, so a code version that hashed every spec file would mark every
mixture stale when one mixture spec changes, and every day of raw_documents when one source is added. Here
each spec-driven asset depends (same partitions, identity mapping) on an external asset whose data version
per partition is the hash of exactly the spec that partition reads; Dagster's staleness (the UI's
"Unsynced", `maslow status`) then follows the change:

- `mixture_specs`, `synthetics_specs`, `labeling_specs`: one partition per spec file, versioned by the
  file's sha256 (`specs.file_hash`);
- `source_specs`: one partition per landed day, versioned by the sources.yaml entries of the sources with
  files in that day (`sources.entries_digest`): a new or edited entry marks only the days holding its files.

The versions are recorded as observations (`dagster/data_version` tags), and only when they differ from the
latest one: by the `spec_versions` sensor (every 30 s under `dagster dev`), by `maslow status` before it
reads staleness, and by the asset itself when it runs (`pin`), so a run started before the sensor saw an
edit still records the spec it read. An edit undone before the partition reruns leaves it fresh again
(Dagster compares the version read with the latest one, not the number of changes).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

import dagster as dg
from dagster._core.definitions.data_version import DATA_VERSION_TAG
from dagster._core.events import DagsterEventType

from platform_assets import settings
from platform_assets import spec_isolation as isolation
from platform_assets.partitions import daily_partitions
from platform_assets.processors import ingest_partition
from platform_assets.processors.sources import SOURCES_FILE, entries_digest, load_sources
from platform_assets.specs import file_hash

# The spec-per-file families: external asset -> folder under the spec dir.
FAMILIES = {"mixture_specs": "mixtures", "synthetics_specs": "synthetics", "labeling_specs": "labeling"}
SOURCE_SPECS = "source_specs"
KEYS = (*FAMILIES, SOURCE_SPECS)
KINDS = {"yaml"}


def family_asset(key: str, partitions_def: dg.PartitionsDefinition) -> dg.AssetsDefinition:
    """The external asset for the spec files of `FAMILIES[key]`, partitioned like the asset reading them."""
    return dg.AssetsDefinition(specs=[dg.AssetSpec(
        key, partitions_def=partitions_def, kinds=KINDS,
        description=f"One spec file `dbt_like_sql/{FAMILIES[key]}/<partition>.yaml`; its data version is the "
        "file's sha256, so editing one spec marks only its own partition stale.")])


def source_specs_asset() -> dg.AssetsDefinition:
    return dg.AssetsDefinition(specs=[dg.AssetSpec(
        SOURCE_SPECS, partitions_def=daily_partitions, kinds=KINDS,
        description="The sources.yaml entries of the sources with files landed in one day; its data version "
        "hashes those entries, so adding or editing a source marks only the days holding its files stale.")])


def dep(key: str) -> dg.AssetDep:
    return dg.AssetDep(key, partition_mapping=dg.IdentityPartitionMapping())


def family_versions(key: str) -> dict[str, tuple[str, dict]]:
    """`{partition: (version, metadata)}` of every spec file of the family, as on disk now."""
    root = settings.spec_dir() / FAMILIES[key]
    return {p.stem: (file_hash(p)[:24], {"spec_file": str(p)}) for p in sorted(root.glob("*.yaml"))}


def day_version(sources: Mapping | None, landing: Path, day: str,
                broken: Path | None = None) -> tuple[str, dict] | None:
    """A day's version and metadata from the entries of the sources with files in it (None: no files);
    with a broken sources.yaml (`broken`), the whole file's hash (its runs fail until it is fixed)."""
    names = sorted({source for source, _ in ingest_partition.landed_files(landing, day)})
    if not names:
        return None
    version = entries_digest(sources or {}, names) if broken is None else "broken-" + file_hash(broken)[:17]
    return version, {"sources": ", ".join(names)}


def source_versions() -> dict[str, tuple[str, dict]]:
    """`{day: (version, metadata)}` for every landed day that is a partition."""
    landing = settings.landing_dir()
    loaded = isolation.guard(settings.spec_dir() / SOURCES_FILE, load_sources)
    valid = set(daily_partitions.get_partition_keys())
    found = {day: day_version(loaded.value, landing, day, None if loaded.ok else loaded.path)
             for day in settings.landed_days(landing) if day in valid}
    return {day: v for day, v in found.items() if v is not None}


def current_versions(keys) -> dict[str, dict[str, tuple[str, dict]]]:
    """The versions of the spec assets among `keys` (asset key strings), as the files hold them now."""
    out = {k: family_versions(k) for k in FAMILIES if k in keys}
    if SOURCE_SPECS in keys:
        out[SOURCE_SPECS] = source_versions()
    return out


def changed(instance: dg.DagsterInstance, key: str,
            versions: Mapping[str, tuple[str, dict]]) -> Iterator[dg.AssetObservation]:
    """An observation for each partition whose version differs from its latest recorded one."""
    if not versions:
        return
    latest = instance.event_log_storage.get_latest_tags_by_partition(
        dg.AssetKey(key), DagsterEventType.ASSET_OBSERVATION, [DATA_VERSION_TAG], list(versions))
    for part, (version, metadata) in sorted(versions.items()):
        if latest.get(part, {}).get(DATA_VERSION_TAG) != version:
            yield dg.AssetObservation(key, partition=part, tags={DATA_VERSION_TAG: version},
                                      metadata=metadata)


def observations(instance: dg.DagsterInstance, keys) -> list[dg.AssetObservation]:
    """The observations that bring the spec assets among `keys` up to date with the files."""
    return [o for key, versions in current_versions(keys).items() for o in changed(instance, key, versions)]


def observe(instance: dg.DagsterInstance, keys) -> list[dg.AssetObservation]:
    """Records `observations` (`maslow status` does, before it reads staleness); returns them."""
    found = observations(instance, keys)
    for obs in found:
        instance.report_runless_asset_event(obs)
    return found


def pin_file(context: dg.AssetExecutionContext, key: str, path: Path) -> None:
    """`pin` for a spec-per-file family: the partition's spec file as the run read it."""
    pin(context, key, context.partition_key, (file_hash(path)[:24], {"spec_file": str(path)}))


def pin_day(context: dg.AssetExecutionContext, sources: Mapping) -> None:
    """`pin` for a day of ingestion: the entries of the day's sources as the run read them."""
    found = day_version(sources, settings.landing_dir(), context.partition_key)
    if found is not None:
        pin(context, SOURCE_SPECS, context.partition_key, found)


def pin(context: dg.AssetExecutionContext, key: str, partition: str, found: tuple[str, dict]) -> None:
    """Called by the asset reading the spec, with the version it read: records it if newer than the latest
    observation, and makes this run's provenance point at it (Dagster fetched the input versions when the
    step started, before the run could see the edit; its step context is the only place to refresh them)."""
    for obs in changed(context.instance, key, {partition: found}):
        context.instance.report_runless_asset_event(obs)
        step = getattr(context.op_execution_context, "_step_execution_context", None)
        if step is not None:  # None when the body is called directly (no run, no provenance)
            step.wipe_input_asset_version_info(dg.AssetKey(key))
