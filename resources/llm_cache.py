"""LLM response cache in Lance, keyed by (model, prompt-template version, text hash, max_tokens) and, for a
sampled request, every sampling parameter and the sample index: a re-run costs nothing, raising max_tokens
asks again instead of reusing an answer cut at the old limit, and N samples of one prompt stay N answers.
Servers are not deterministic even at temperature 0 with a seed when batches mix, so the stored answer (with
the sampling it was asked with) is the record that makes a run reproducible.

Only answers the endpoint actually returned are stored (parse failures included, so a re-run reproduces
them); request failures are not, so they are retried next time. Appends from concurrent runs rebase.
"""

from __future__ import annotations

import hashlib
import time

import pyarrow as pa

from resources import lance_datasets, lance_filters, lance_schema

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
        ("sampling", pa.string()),  # JSON of the sampling parameters sent; null for greedy classifier calls
        ("sample_index", pa.int32()),
    ]
)
_IN_CHUNK = 500


def cache_key(model: str, template_version: str, text_hash: str, max_tokens: int,
              sampling: str | None = None, sample_index: int = 0) -> str:
    """`sampling` is the canonical JSON of the sampling parameters (None: the greedy default of the prompt
    classifiers, whose keys stay what they were)."""
    parts = (model, template_version, text_hash, str(max_tokens))
    if sampling is not None:
        parts += (sampling, str(sample_index))
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
            table = ds.to_table(filter=lance_filters.in_values("key", chunk))
            for row in table.to_pylist():
                found.setdefault(row["key"], row)
        return found

    def put_many(self, rows: list[dict]) -> None:
        if not rows:
            return
        now = int(time.time() * 1000)
        table = pa.Table.from_pylist([{**r, "created_at": now} for r in rows], schema=SCHEMA)
        ds = lance_datasets.ensure_dataset(self.uri, SCHEMA, self.storage_options)  # race-safe first creation
        _, added = lance_schema.reconcile_schema(ds.schema, SCHEMA)
        if added:  # a cache written before the sampling columns existed: add them, no rewrite
            ds.add_columns(added)
        ds.insert(table, mode="append", storage_options=self.storage_options)  # no second open
