"""Raw ingestion of one landed day: `raw_documents` (streamed) and `quarantined_records`."""

import hashlib
from collections.abc import Iterator

import dagster as dg

from platform_assets import settings, spec_versions
from platform_assets import spec_isolation as isolation
from platform_assets.clean import landing_checks
from platform_assets.partitions import DAILY_METADATA, daily_partitions
from platform_assets.processors.ingest import QUARANTINE_COLUMNS, QUARANTINE_SCHEMA, RAW_COLUMNS, RAW_SCHEMA
from platform_assets.processors.ingest_partition import LandingPartition
from platform_assets.processors.sources import SOURCES_FILE, entries_digest, load_sources
from resources.lance_io_manager import COLUMN_DESCRIPTIONS, table_schema

# Annotations stay eager (no `from __future__ import annotations`): Dagster resolves the Config type.

# The reader's version. sources.yaml reaches each day through `source_specs` (spec_versions): a changed
# entry marks only the days holding that source's files stale.
CODE_VERSION = "ingest-v3"
source_specs = spec_versions.source_specs_asset()


def _sources() -> isolation.Guarded:
    """sources.yaml, loaded at definition time only to report its problems (runs read it afresh)."""
    return isolation.guard(settings.spec_dir() / SOURCES_FILE, load_sources)


_STORED = {"io_manager_key": "lance_io_manager", "kinds": {"python"}, "code_version": CODE_VERSION}
_LISTED = {**DAILY_METADATA, **isolation.spec_errors_metadata([_sources()])}


def _described(schema, docs: dict[str, str]) -> dict:
    """Definition metadata: the columns with their descriptions, shown before anything is materialized."""
    return {**_LISTED, COLUMN_DESCRIPTIONS: docs, "dagster/column_schema": table_schema(schema, docs)}


def landed_version(part: LandingPartition) -> dg.DataVersion:
    """A day's data version from its files' names, sizes and mtimes and their sources' entries: new files or
    a changed entry show downstream stale."""
    digest = hashlib.sha256(entries_digest(part.sources, (s for s, _ in part.files)).encode())
    for source, path in part.files:
        st = path.stat()
        digest.update(f"{source}\0{path.name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return dg.DataVersion(digest.hexdigest()[:24])


class RawDocumentsConfig(dg.Config):
    batch_rows: int = 8192  # records per Arrow batch streamed into Lance


@dg.multi_asset(
    name="ingest_raw_documents",
    group_name="clean",
    partitions_def=daily_partitions,
    deps=[spec_versions.dep(spec_versions.SOURCE_SPECS)],
    outs={
        "raw_documents": dg.AssetOut(
            description="One ingested record of `<landing>/<source>/<day>/*` (jsonl, jsonl.gz, jsonl.zst, "
            "parquet, txt): doc_id (hash of source, typed source_id and text), source, source_id, text, url, "
            "meta (JSON), domain (from sources.yaml), file, line, day.",
            metadata=_described(RAW_SCHEMA, RAW_COLUMNS), **_STORED,
        ),
        "quarantined_records": dg.AssetOut(
            description="One landed record (or file) that could not be read: file, line or row, field, "
            "error_kind, error, the raw bytes (at most 4 KiB) and whether they were cut; nothing is lost "
            "silently.",
            metadata=_described(QUARANTINE_SCHEMA, QUARANTINE_COLUMNS), **_STORED,
        ),
    },
    check_specs=landing_checks.CHECKS,
)
def ingest_raw_documents(
    context: dg.AssetExecutionContext, config: RawDocumentsConfig
) -> Iterator[dg.Output]:
    """Reads one day of the landing zone file by file and batch by batch.

    raw_documents is yielded first as a streamed RecordBatchReader: Dagster hands it to the IO manager,
    which drains it into Lance before this generator resumes, so by then every quarantined record has been
    collected and quarantined_records (small) can be yielded. The ingest counts are known only after the
    stream is drained, hence they are recorded on quarantined_records' materialization.
    """
    sources = _sources().get()  # a broken sources.yaml fails the run with its validation message
    spec_versions.pin_day(context, sources)
    part = LandingPartition(settings.landing_dir(), context.partition_key, sources, config.batch_rows)
    names = sorted({source for source, _ in part.files})
    version = landed_version(part)
    yield dg.Output(part.reader(), output_name="raw_documents", data_version=version,
                    metadata={"files": len(part.files), "sources": ", ".join(names) or "(none)"})
    quarantined = part.quarantined()  # raises if the IO manager did not drain the stream
    stats = part.stats
    summary = {
        "files_read": stats.files_read,
        "records_ingested": stats.records,
        "quarantined": sum(stats.quarantined.values()),
    }
    context.log.info(f"{context.partition_key}: {summary}, quarantined by kind {dict(stats.quarantined)}")
    yield dg.Output(quarantined, output_name="quarantined_records", data_version=version, metadata={
        **summary, **landing_checks.tables(stats.records_by_source, quarantined, stats.records_by_file)})
    yield from landing_checks.results(context.partition_key, len(part.files), stats.records_by_source,
                                      quarantined, stats.records_by_file)
