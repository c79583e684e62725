"""The clean stage for one record batch of raw_documents: normalize, identify language and domain, run the
domain's filter chain, redact PII, count tokens. Every input row ends in exactly one of `kept`/`rejected`.

`clean_batch` is a top-level, picklable function of (batch, config), so the executor can run it in a
process pool or on Ray. Filters of a chain are evaluated together on one shared `TextBatch` (the features
are computed once) and the first failing filter in chain order decides; a filter that edits the text (C4)
ends a segment, and the next segment sees the edited text of the documents still kept.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from platform_assets.processors import language, normalize
from platform_assets.processors.clean_config import CleanConfig, CleanConfigError, load_clean_config
from platform_assets.processors.clean_output import (
    KEPT_SCHEMA,
    REJECTED_SCHEMA,
    Drops,
    kept_batch,
    rejected_batch,
)
from platform_assets.processors.domain import DOMAINS, detect_domains
from platform_assets.processors.features import TextBatch
from platform_assets.processors.pii import redact_texts
from platform_assets.processors.tokens import count_tokens

__all__ = [
    "CleanConfig",
    "CleanConfigError",
    "CleanResult",
    "KEPT_SCHEMA",
    "REJECTED_SCHEMA",
    "clean_batch",
    "load_clean_config",
]


@dataclass
class CleanResult:
    """Kept and rejected rows, and counts: `input`, `kept`, `dropped`, one `<filter>:<reason>` per drop
    reason, `kept_domain_<domain>`, `lines_removed` (C4 edits), `pii_emails|phones|ips`, `tokens_kept`."""

    kept: pa.RecordBatch
    rejected: pa.RecordBatch
    counts: dict[str, int]


def clean_batch(batch: pa.RecordBatch, config: CleanConfig) -> CleanResult:
    """Clean one batch of raw_documents rows (see the module docstring)."""
    n = batch.num_rows
    drops, counts = Drops(n), Counter({"input": n})
    texts = normalize.normalize_texts(batch.column("text"))
    alive = ~normalize.is_empty(texts)
    empty = np.flatnonzero(~alive)
    drops.add(empty, "normalize", normalize.VERSION, "empty_text", np.nan, texts.take(empty))
    domains = _domains(batch, texts, alive, config)
    langs, scores = np.full(n, None, dtype=object), np.zeros(n, dtype=np.float32)
    rows = np.flatnonzero(alive)
    langs[rows], scores[rows] = language.detect_languages(texts.take(rows).to_pylist())
    alive &= _judge_language(langs, scores, domains, alive, texts, drops, config)
    alive &= _cap_tokens(texts, domains, alive, drops, config)
    texts = _run_chains(texts, domains, alive, drops, counts, config)
    kept = _kept(batch, texts, domains, langs, scores, alive, counts, config)
    rejected = rejected_batch(batch, drops, langs, ~alive)
    for name, reason in zip(drops.filter[~alive], drops.reason[~alive], strict=True):
        counts[f"{name}:{reason}"] += 1
    counts["kept"], counts["dropped"] = kept.num_rows, rejected.num_rows
    return CleanResult(kept, rejected, dict(counts))


def _domains(batch: pa.RecordBatch, texts: pa.Array, alive: np.ndarray, config: CleanConfig) -> np.ndarray:
    """The source's domain where it names a known one, else the detected (or default) domain."""
    given = np.array(
        batch.column("domain").to_pylist() if "domain" in batch.schema.names else [None] * len(texts),
        dtype=object,
    )
    missing = alive & ~np.isin(given, DOMAINS)
    out = given.copy()
    out[~np.isin(given, DOMAINS)] = config.default_domain
    if config.detect_domain and missing.any():
        rows = np.flatnonzero(missing)
        out[rows] = detect_domains(TextBatch(texts.take(rows)), _locators(batch, rows))
    return out


def _locators(batch: pa.RecordBatch, rows: np.ndarray) -> pa.Array | None:
    """Per row: its url and meta JSON joined by a space (where a path or URL names the file), or None."""
    parts = [batch.column(c).take(pa.array(rows)) for c in ("url", "meta") if c in batch.schema.names]
    if not parts:
        return None
    return pc.binary_join_element_wise(*[pc.fill_null(p.cast(pa.string()), "") for p in parts], " ")


def _judge_language(langs, scores, domains, alive, texts, drops: Drops, config: CleanConfig) -> np.ndarray:
    """Drop judged documents under the score threshold or outside the allowed languages; returns kept."""
    cfg = config.language
    judged = alive & ~np.isin(domains, cfg.skip_domains)
    low = judged & (scores < cfg.min_score)
    other = judged & ~low & (~np.isin(langs, cfg.languages) if cfg.languages else False)
    for mask, reason in ((low, "language_low_score"), (other, "language_not_allowed")):
        rows = np.flatnonzero(mask)
        drops.add(rows, "language", language.VERSION, reason, scores[rows], texts.take(rows))
    return ~(low | other)


def _cap_tokens(texts, domains, alive, drops: Drops, config: CleanConfig) -> np.ndarray:
    """Drop documents over their domain's token cap before any chain; returns kept.

    A token is at least one byte, so only texts longer in bytes than the cap are tokenized here.
    """
    caps = np.array([config.max_tokens.cap(d) for d in domains], dtype=np.int64)
    size = pc.binary_length(texts.cast(pa.large_binary())).to_numpy(zero_copy_only=False)
    rows = np.flatnonzero(alive & (size > caps))
    tokens = count_tokens(texts.take(rows).to_pylist(), config.tokenizer) if len(rows) else np.zeros(0)
    over = rows[tokens > caps[rows]]
    drops.add(over, "length", "max_tokens", "too_many_tokens", tokens[tokens > caps[rows]].astype(float),
              texts.take(over))
    keep = np.ones(len(texts), dtype=bool)
    keep[over] = False
    return keep


def _run_chains(texts, domains, alive, drops: Drops, counts: Counter, config: CleanConfig) -> pa.Array:
    """Run each domain's chain on its documents; returns the texts with the chains' edits applied."""
    for dom in DOMAINS:
        rows = np.flatnonzero(alive & (domains == dom))
        sub, segment = texts.take(rows), []
        for f in config.chain(dom):
            segment.append(f)
            if f.edits_text:
                rows, sub = _run_segment(segment, rows, sub, alive, drops, counts)
                segment = []
        rows, sub = _run_segment(segment, rows, sub, alive, drops, counts)
        if len(rows):
            mask = np.zeros(len(texts), dtype=bool)
            mask[rows] = True
            texts = pc.replace_with_mask(texts, pa.array(mask), sub)
    return texts


def _run_segment(segment, rows, sub, alive, drops: Drops, counts: Counter):
    """Judge `rows` with every filter of `segment` on one TextBatch; the first failure in order drops."""
    if not segment or len(rows) == 0:
        return rows, sub
    batch = TextBatch(sub)
    decided = np.zeros(len(rows), dtype=bool)
    edited, removed = None, np.zeros(len(rows), np.int64)
    for f in segment:
        verdict = f.judge(batch)
        fails = ~decided & (verdict.reasons != None)  # noqa: E711
        drop_rows = rows[fails]
        drops.add(
            drop_rows,
            f.stage,
            f.name,
            verdict.reasons[fails],
            verdict.scores[fails],
            sub.filter(pa.array(fails)),
        )
        decided |= fails
        if verdict.texts is not None:
            edited = verdict.texts
        if verdict.lines_removed is not None:
            removed += verdict.lines_removed
    counts["lines_removed"] += int(removed[~decided].sum())
    alive[rows[decided]] = False
    keep = pa.array(~decided)
    return rows[~decided], (edited if edited is not None else sub).filter(keep)


def _kept(
    batch, texts, domains, langs, scores, alive, counts: Counter, config: CleanConfig
) -> pa.RecordBatch:
    """Redact PII and count tokens in the kept documents, add their figures to `counts`."""
    rows = np.flatnonzero(alive)
    text = texts.take(rows)
    pii_counts = {k: np.zeros(len(rows), np.int32) for k in ("pii_emails", "pii_phones", "pii_ips")}
    if config.redact_pii and len(rows):
        text, pii_counts = redact_texts(text)
    tokens = count_tokens(text.to_pylist(), config.tokenizer)
    for key, values in pii_counts.items():
        counts[key] += int(values.sum())
    counts["tokens_kept"] += int(tokens.sum())
    for dom, k in Counter(domains[rows]).items():
        counts[f"kept_domain_{dom}"] += k
    return kept_batch(batch, rows, text, domains, langs, scores, tokens, pii_counts)
