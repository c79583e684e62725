"""The media clean stage: `clean_media` and `rejected_media` for one raw_media day."""

from collections.abc import Iterator

import dagster as dg
import lance
import pyarrow as pa
import pydantic

from platform_assets import settings
from platform_assets.media.stage import MediaStage
from platform_assets.metadata_tables import fold
from platform_assets.partitions import DAILY_METADATA, daily_partitions
from platform_assets.processors.dedup.stage import known_scope
from platform_assets.processors.media.config import MEDIA_FILE, load_media_config
from resources import lance_filters

# Annotations stay eager (no `from __future__ import annotations`): Dagster resolves the Config type.
CLEAN_KEY = dg.AssetKey("clean_media")
_STORED = {"io_manager_key": "lance_io_manager", "metadata": DAILY_METADATA, "kinds": {"python"},
           "code_version": "clean-media:" + load_media_config(settings.spec_dir() / MEDIA_FILE).fingerprint()}


class CleanMediaConfig(dg.Config):
    scope: str = pydantic.Field("incremental", description="partition (dedup within the day) or incremental "
                                "(also against every earlier day's clean_media)")

    _known_scope = pydantic.field_validator("scope")(known_scope)


@dg.multi_asset(
    name="clean_media_stage",
    group_name="media",
    partitions_def=daily_partitions,
    ins={"raw_media": dg.AssetIn()},
    outs={
        "clean_media": dg.AssetOut(
            description="One kept image or audio file: raw_media's columns with the caption PII-redacted, "
            "language and score, token_count (caption), PII counts, dup_cluster_id (doc_id of the kept item) "
            "and dup_cluster_size; the bytes in the Lance blob column `media` (read with take_blobs).",
            **_STORED),
        "rejected_media": dg.AssetOut(
            description="One dropped media file (no bytes: raw_media keeps them): stage (filter, "
            "exact_dedup, near_dedup), filter, reason code, score (the value that tripped the rule; the "
            "Hamming distance for near duplicates) and duplicate_of.", **_STORED),
    },
    required_resource_keys={"lance_io_manager"},
)
def clean_media_stage(
    context: dg.AssetExecutionContext, config: CleanMediaConfig, raw_media: lance.LanceDataset
) -> Iterator[dg.Output]:
    """Filter, redact and deduplicate one day of raw_media (media/stage.py).

    Pass 1 decides from the derived columns (no bytes); clean_media is then yielded as a stream that reads
    the kept files' bytes a batch at a time, and the IO manager drains it into Lance in one commit.
    """
    day = context.partition_key
    stage = MediaStage(raw_media, day, load_media_config(settings.spec_dir() / MEDIA_FILE))
    meta, prior = {}, None
    if config.scope == "incremental":
        meta, prior = _earlier(context.resources.lance_io_manager, day)
    stage.run(prior)
    summary = {**stage.summary(), **meta, "scope": config.scope}
    context.log.info(f"clean_media {day}: {summary}")
    summary = fold(fold(summary, "dropped", "dropped_by_reason", "stage/reason"), "clean_rows",
                   "clean_rows_by_modality", "modality")
    yield dg.Output(stage.clean_reader(), output_name="clean_media", metadata=summary)
    yield dg.Output(stage.rejected, output_name="rejected_media",
                    metadata={k: summary[k] for k in ("dropped_by_reason", "rejected_rows") if k in summary})


def _earlier(lance_io, day: str) -> tuple[dict, pa.Table | None]:
    """Every earlier day's kept (doc_id, sha256, phash), in (day, doc_id) order, and the version read."""
    ds = lance_io.open(CLEAN_KEY)
    if ds is None:
        return {"clean_media/version_checked": "none"}, None
    earlier = lance_filters.compare("day", "<", day)
    rows = ds.to_table(columns=["doc_id", "day", "sha256", "phash"], filter=earlier)
    rows = rows.sort_by([("day", "ascending"), ("doc_id", "ascending")])
    return {"clean_media/version_checked": ds.version, "clean_media/prior_rows": rows.num_rows}, rows
