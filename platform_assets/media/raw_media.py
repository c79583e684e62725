"""Media ingestion of one landed day: `raw_media` (bytes in a Lance blob column) and `quarantined_media`."""

import hashlib
from collections.abc import Iterator

import dagster as dg

from platform_assets import settings, spec_versions
from platform_assets.clean.landing_checks import file_table, files_result, files_spec
from platform_assets.clean.raw_documents import landed_version
from platform_assets.metadata_tables import counts
from platform_assets.partitions import DAILY_METADATA, daily_partitions
from platform_assets.processors.media.config import MEDIA_FILE, VERSION, load_media_config
from platform_assets.processors.media.ingest import MediaPartition
from platform_assets.processors.media.landing import landed_file
from platform_assets.processors.sources import SOURCES_FILE, load_sources


# Annotations stay eager (no `from __future__ import annotations`): Dagster resolves the Config type.
def _code_version() -> str:
    """The reader's version plus media.yaml (a changed limit shows every day stale); sources.yaml reaches
    each day through `source_specs` (spec_versions), so a changed entry marks only its source's days."""
    path = settings.spec_dir() / MEDIA_FILE
    digest = hashlib.sha256(VERSION.encode() + (path.read_bytes() if path.exists() else b""))
    return "raw-media-v2-" + digest.hexdigest()[:12]


_STORED = {"io_manager_key": "lance_io_manager", "metadata": DAILY_METADATA, "kinds": {"python"},
           "code_version": _code_version()}


class RawMediaConfig(dg.Config):
    batch_rows: int = 256  # files per Arrow batch streamed into Lance (also cut at 64 MiB of bytes)


@dg.multi_asset(
    name="ingest_raw_media",
    group_name="media",
    partitions_def=daily_partitions,
    deps=[spec_versions.dep(spec_versions.SOURCE_SPECS)],
    outs={
        "raw_media": dg.AssetOut(
            description="One landed image or audio file of a media source (`modality: image|audio` in "
            "sources.yaml): doc_id, source, source_id, modality, caption (or transcript), url, file, "
            "landing_format; derived once: format, byte_size, sha256, width, height, phash (images), "
            "duration_s, sample_rate, channels (audio); day; the bytes in the Lance blob column `media`.",
            **_STORED),
        "quarantined_media": dg.AssetOut(
            description="One landed media file (or sidecar line, or tar shard) that could not be used, with "
            "quarantined_records' columns: file, line, field, error_kind (undecodable_media, "
            "truncated_media, too_large, empty_file, missing_file, bad_json, truncated_file, ...), the "
            "decoder's error, the first 4 KiB of the bytes.",
            **_STORED),
    },
    check_specs=[files_spec("quarantined_media")],
)
def ingest_raw_media(context: dg.AssetExecutionContext, config: RawMediaConfig) -> Iterator[dg.Output]:
    """Reads one day of every media source, decoding each file once (Pillow, soundfile).

    raw_media is yielded first as a stream the IO manager drains into Lance (bounded memory: one batch of
    files); then the quarantine is complete and is yielded with the counts.
    """
    sources = load_sources(settings.spec_dir() / SOURCES_FILE)
    spec_versions.pin_day(context, sources)
    max_bytes = load_media_config(settings.spec_dir() / MEDIA_FILE).max_bytes
    part = MediaPartition(settings.landing_dir(), context.partition_key, sources, max_bytes,
                          config.batch_rows)
    version = landed_version(part)
    yield dg.Output(part.reader(), output_name="raw_media", data_version=version,
                    metadata={"sources": ", ".join(s for s, _ in part.folders) or "(none)"})
    quarantined = part.quarantined()
    stats = part.stats
    summary = {"records_ingested": stats.records, "quarantined": sum(stats.quarantined.values())}
    context.log.info(f"{context.partition_key}: {summary}, quarantined by kind {dict(stats.quarantined)}")
    yield dg.Output(quarantined, output_name="quarantined_media", data_version=version, metadata={
        **summary, "quarantined_per_kind": counts(stats.quarantined, "error_kind", "records"),
        "records_per_source": counts(stats.records_by_source, "source", "records"),
        "per_file": file_table(stats.records_by_file, quarantined, landed_file)})
    yield files_result(stats.records_by_file, quarantined, "quarantined_media", landed_file)

