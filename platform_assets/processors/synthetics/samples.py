"""The columns passed between generators and judges: tasks in, samples out, candidates after judging."""

from __future__ import annotations

import hashlib
import json

import pyarrow as pa

TASK_SCHEMA = pa.schema([
    ("doc_id", pa.string()), ("task", pa.string()), ("prompt", pa.string()), ("reference", pa.string()),
    ("key", pa.string()),
])
# One generated answer: `sampling` is the JSON of the parameters actually sent (or, for a rule, applied),
# `perturbation` says what a rule changed (null for an untouched reference or a model's answer).
SAMPLE_SCHEMA = pa.schema([
    ("doc_id", pa.string()), ("task", pa.string()), ("prompt", pa.string()), ("key", pa.string()),
    ("sample_index", pa.int32()), ("response", pa.string()), ("generator", pa.string()),
    ("model", pa.string()), ("template_hash", pa.string()), ("sampling", pa.string()), ("seed", pa.int64()),
    ("finish_reason", pa.string()), ("error", pa.string()), ("perturbation", pa.string()),
])


def sampling_json(params: dict) -> str:
    return json.dumps(params, sort_keys=True, separators=(",", ":"))


def text_hash(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def row_seed(seed: int, doc_id: str) -> int:
    """A per-seed-document seed derived from the spec's seed: stable across runs and batch boundaries."""
    return int(hashlib.sha256(f"{seed}\x1f{doc_id}".encode()).hexdigest()[:12], 16)
