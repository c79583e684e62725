"""LLM response cache in Lance, keyed by (model, prompt-template version, text hash, max_tokens): a re-run
costs nothing, and raising max_tokens asks again instead of reusing an answer cut at the old limit.

Only answers the endpoint actually returned are stored (parse failures included, so a re-run reproduces
them); request failures are not, so they are retried next time. Appends from concurrent runs rebase.
"""

from __future__ import annotations

import hashlib
import time

import pyarrow as pa

from resources import lance_datasets, lance_filters

SCHEMA = pa.schema(
    [
        ("key", pa.string()),
        ("model", pa.string()),
        ("template", pa.string()),
        ("text_hash", pa.string()),
        ("content", pa.string()),
        ("finish_reason", pa.string()),
        ("prompt_tokens", pa.int64()),
        ("completion_tokens", pa.int64()),
        ("created_at", pa.timestamp("ms", tz="UTC")),
    ]
)
_IN_CHUNK = 500


def cache_key(model: str, template_version: str, text_hash: str, max_tokens: int) -> str:
    parts = (model, template_version, text_hash, str(max_tokens))
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


class ResponseCache:
    """Lookup and append of cached chat answers at `uri` (a Lance dataset, created on first write)."""

    def __init__(self, uri: str, storage_options: dict | None = None):
        self.uri, self.storage_options = uri, storage_options

    def get_many(self, keys: list[str]) -> dict[str, dict]:
        ds = lance_datasets.open_dataset(self.uri, storage_options=self.storage_options)
        if ds is None or not keys:
            return {}
        found: dict[str, dict] = {}
        unique = sorted(set(keys))
        for start in range(0, len(unique), _IN_CHUNK):
            chunk = unique[start : start + _IN_CHUNK]
            table = ds.to_table(filter=f"key IN ({', '.join(lance_filters.sql_literal(k) for k in chunk)})")
            for row in table.to_pylist():
                found.setdefault(row["key"], row)
        return found

    def put_many(self, rows: list[dict]) -> None:
        if not rows:
            return
        now = int(time.time() * 1000)
        table = pa.Table.from_pylist([{**r, "created_at": now} for r in rows], schema=SCHEMA)
        ds = lance_datasets.ensure_dataset(self.uri, SCHEMA, self.storage_options)  # race-safe first creation
        ds.insert(table, mode="append", storage_options=self.storage_options)  # no second open
