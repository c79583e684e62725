"""Pass 1 of the media clean stage: from the derived columns alone (never the bytes), decide each item.

Order, as for text: language ID of the caption (CLD2) -> the modality's filter chain -> PII redaction of the
caption -> token count -> exact dedup by sha256 -> near dup of images by pHash. Dedup keeps the first item by
(day, doc_id); in the incremental scope every earlier day's kept items come first, so a re-landed copy of an
earlier image is dropped as its duplicate. Returns the kept rows (caption redacted, clean columns added, no
bytes) and the rejected rows, each with stage, filter, reason and score.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from platform_assets.processors import language, pii, tokens
from platform_assets.processors.media import near_dup
from platform_assets.processors.media.config import MediaConfig
from platform_assets.processors.media.schemas import REJECTED_MEDIA_SCHEMA


@dataclass
class Decisions:
    kept: pa.Table  # raw columns (caption redacted) + the clean columns, no bytes; sorted by doc_id
    rejected: pa.Table  # REJECTED_MEDIA_SCHEMA


def decide(rows: pa.Table, config: MediaConfig, prior: pa.Table | None = None) -> Decisions:
    """`rows`: one day's raw_media without bytes. `prior`: earlier days' kept (doc_id, sha256, phash)."""
    rows = rows.sort_by([("day", "ascending"), ("doc_id", "ascending")])
    codes, scores = language.detect_languages(rows.column("caption").fill_null("").to_pylist())
    rows = rows.append_column("language", pa.array(codes)).append_column("language_score", pa.array(scores))
    rejected = []
    reasons = _filter(rows, config)
    dropped = pa.array([r is not None for r in reasons], pa.bool_())
    rejected.append(_rejected(rows.filter(dropped), "filter", [r for r in reasons if r is not None]))
    rows = rows.filter(pc.invert(dropped))
    rows = _redact(rows, config)
    rows, dups = _dedup(rows, config, prior)
    rejected.append(dups)
    return Decisions(rows, pa.concat_tables(rejected).cast(REJECTED_MEDIA_SCHEMA))


def _filter(rows: pa.Table, config: MediaConfig) -> list:
    """Per row (filter, reason, score) of the first failed rule of its modality's chain, or None."""
    out: list = [None] * rows.num_rows
    modality = np.asarray(rows.column("modality").to_pylist(), dtype=object)
    for kind in np.unique(modality):
        idx = np.flatnonzero(modality == kind)
        part = rows.take(idx)
        for f in config.chain(str(kind)):
            verdict = f.judge(part)
            for k in np.flatnonzero(verdict.reasons != None):  # noqa: E711 - elementwise on an object array
                if out[idx[k]] is None:
                    out[idx[k]] = (f.name, verdict.reasons[k], float(verdict.scores[k]))
    return out


def _rejected(rows: pa.Table, stage: str | list, verdicts: list, duplicate_of: list | None = None
              ) -> pa.Table:
    n = rows.num_rows
    extra = {"stage": [stage] * n if isinstance(stage, str) else stage,
             "filter": [v[0] for v in verdicts], "reason": [v[1] for v in verdicts],
             "score": [None if np.isnan(v[2]) else v[2] for v in verdicts],
             "duplicate_of": duplicate_of or [None] * n}
    cols = {name: rows.column(name) if name in rows.column_names else pa.array(extra[name])
            for name in REJECTED_MEDIA_SCHEMA.names}
    return pa.table(cols).cast(REJECTED_MEDIA_SCHEMA)


def _redact(rows: pa.Table, config: MediaConfig) -> pa.Table:
    captions = rows.column("caption").combine_chunks()
    counts = {k: np.zeros(rows.num_rows, np.int32) for k in ("pii_emails", "pii_phones", "pii_ips")}
    if config.redact_pii and rows.num_rows:
        redacted, counts = pii.redact_texts(captions.fill_null(""))
        captions = pc.if_else(captions.is_null(), captions, redacted.cast(pa.string()))
    rows = rows.set_column(rows.column_names.index("caption"), "caption", captions)
    for name, values in counts.items():
        rows = rows.append_column(name, pa.array(values, pa.int32()))
    n_tokens = tokens.count_tokens(captions.fill_null("").to_pylist(), config.tokenizer)
    return rows.append_column("token_count", pa.array(n_tokens, pa.int64()))


def _dedup(rows: pa.Table, config: MediaConfig, prior: pa.Table | None) -> tuple[pa.Table, pa.Table]:
    """Exact dedup by sha256, then pHash clusters of images; both against `prior` first."""
    prior = prior if prior is not None else pa.table({"doc_id": pa.array([], pa.string()),
                                                      "sha256": pa.array([], pa.string()),
                                                      "phash": pa.array([], pa.uint64())})
    p = prior.num_rows
    ids = prior.column("doc_id").to_pylist() + rows.column("doc_id").to_pylist()
    keeper = np.arange(p + rows.num_rows)
    first: dict[str, int] = {}
    for i, digest in enumerate(prior.column("sha256").to_pylist() + rows.column("sha256").to_pylist()):
        keeper[i] = first.setdefault(digest, i)
    exact = keeper[p:] != np.arange(p, p + rows.num_rows)
    distance = np.zeros(p + rows.num_rows, np.int64)
    hashes = pa.concat_arrays([prior.column("phash").combine_chunks().cast(pa.uint64()),
                               rows.column("phash").combine_chunks()])
    alive = np.flatnonzero(~np.concatenate([np.zeros(p, bool), exact]) &
                           hashes.is_valid().to_numpy(zero_copy_only=False))
    if len(alive):
        root, dist = near_dup.clusters(hashes.take(alive).to_numpy(), config.near_dup.max_hamming)
        keeper[alive], distance[alive] = alive[root], dist
    keeper = _follow(keeper)
    mine = keeper[p:]
    dropped = mine != np.arange(p, p + rows.num_rows)
    size = np.bincount(mine, minlength=p + rows.num_rows)
    kept = rows.filter(pa.array(~dropped))
    kept = kept.append_column("dup_cluster_id", pa.array([ids[i] for i in mine[~dropped]], pa.string()))
    kept = kept.append_column("dup_cluster_size", pa.array(size[mine[~dropped]], pa.int32()))
    drops = np.flatnonzero(dropped)
    verdicts = [("sha256_v1", "exact_duplicate", 0.0) if exact[i] else
                ("phash_v1", "near_duplicate", float(distance[p + i])) for i in drops]
    stages = ["exact_dedup" if exact[i] else "near_dedup" for i in drops]
    return kept, _rejected(rows.take(drops), stages, verdicts, [ids[mine[i]] for i in drops])


def _follow(keeper: np.ndarray) -> np.ndarray:
    """Point every item at the end of its chain (an exact copy of a near duplicate keeps the kept one)."""
    while True:
        nxt = keeper[keeper]
        if np.array_equal(nxt, keeper):
            return keeper
        keeper = nxt
