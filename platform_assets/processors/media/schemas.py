"""Columns of the media tables (a contract: later stages and the loader read them by name).

The file bytes live in `media`, a top-level Lance blob column (binary with `lance-encoding:blob` metadata,
storage format 2.2): scans return small descriptors unless asked for bytes, and the loader reads sampled rows
with `take_blobs`. Derived columns are computed once, at ingestion: format, byte size, sha256, width and
height and pHash (images), duration, sample rate and channels (audio).
"""

from __future__ import annotations

import pyarrow as pa

BLOB_COLUMN = "media"
BLOB_METADATA = {b"lance-encoding:blob": b"true"}  # Lance's blob column marker (see lance_schema.is_blob)
BLOB_FIELD = pa.field(BLOB_COLUMN, pa.large_binary(), metadata=BLOB_METADATA)

# Computed once from the bytes (processors/media/decode.py).
FEATURE_FIELDS = [
    pa.field("format", pa.string()),  # JPEG, PNG, WAV, FLAC, ...
    pa.field("byte_size", pa.int64(), nullable=False),
    pa.field("sha256", pa.string(), nullable=False),
    pa.field("width", pa.int32()),  # images
    pa.field("height", pa.int32()),
    pa.field("phash", pa.uint64()),  # images: 64-bit DCT perceptual hash (imagehash.phash)
    pa.field("duration_s", pa.float64()),  # audio
    pa.field("sample_rate", pa.int32()),
    pa.field("channels", pa.int32()),
]

IDENTITY_FIELDS = [
    pa.field("doc_id", pa.string(), nullable=False),
    pa.field("source", pa.string(), nullable=False),
    pa.field("source_id", pa.string(), nullable=False),
    pa.field("modality", pa.string(), nullable=False),  # image | audio
    pa.field("caption", pa.string()),  # the caption (image) or transcript (audio)
    pa.field("url", pa.string()),
    pa.field("file", pa.string(), nullable=False),  # landing path, `shard.tar:member`, `x.parquet#row`
    pa.field("landing_format", pa.string(), nullable=False),  # folder | webdataset | parquet
]

DAY = pa.field("day", pa.string(), nullable=False)
RAW_MEDIA_SCHEMA = pa.schema(IDENTITY_FIELDS + FEATURE_FIELDS + [DAY, BLOB_FIELD])

CLEAN_EXTRA = [
    pa.field("language", pa.string()),
    pa.field("language_score", pa.float32()),
    pa.field("token_count", pa.int64()),  # caption tokens (the clean stage's tokenizer)
    pa.field("pii_emails", pa.int32()),
    pa.field("pii_phones", pa.int32()),
    pa.field("pii_ips", pa.int32()),
    pa.field("dup_cluster_id", pa.string()),  # doc_id of the kept item of its (exact or near) dup cluster
    pa.field("dup_cluster_size", pa.int32()),
]
CLEAN_MEDIA_SCHEMA = pa.schema(IDENTITY_FIELDS + FEATURE_FIELDS + CLEAN_EXTRA + [DAY, BLOB_FIELD])

REJECTED_MEDIA_SCHEMA = pa.schema(IDENTITY_FIELDS + FEATURE_FIELDS + [
    pa.field("language", pa.string()),
    pa.field("stage", pa.string(), nullable=False),  # filter | exact_dedup | near_dedup
    pa.field("filter", pa.string(), nullable=False),  # registered filter name or dedup method
    pa.field("reason", pa.string(), nullable=False),
    pa.field("score", pa.float64()),  # the value that tripped the rule (Hamming distance for near dups)
    pa.field("duplicate_of", pa.string()),  # kept doc_id a dedup drop duplicates
    DAY,
])

# What the clean stage reads in its first pass (no bytes).
DECISION_COLUMNS = [f.name for f in IDENTITY_FIELDS + FEATURE_FIELDS] + ["day"]
