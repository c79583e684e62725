"""Gates a candidate pair must pass to be kept; each returns, per pair, None or (reason, detail). The
build runs contamination first, then duplicates, then the corpus (`synthetics/build.py: apply_gates`).

  duplicates      exact (xxh3-128 of normalised text) and near (the clean stage's MinHash-LSH bands) over
                  prompt + chosen + rejected, first pair wins: `duplicate_within_prompt` /
                  `near_duplicate_within_prompt` when the earlier pair has the same seed document, else
                  `duplicate_in_run` / `near_duplicate_in_run`; detail names the pair kept.
  corpus          each side (prompt + answer) against `near_dup_index`, the band keys of clean_documents,
                  the seed document itself excepted: `duplicates_corpus` with the document named.
  contamination   prompt + chosen + rejected through `decontam.check_texts` with a `contamination` preset
                  (and the eval sets' canaries): any matching eval item drops the pair, `contaminated`, with
                  the eval set, item and matched n-gram count named (a pair cannot be cut).
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
import pyarrow as pa

from platform_assets.processors import decontam
from platform_assets.processors.dedup.exact import exact_hashes
from platform_assets.processors.dedup.minhash import document_bands
from platform_assets.processors.dedup.presets import MinHashPreset
from platform_assets.processors.dedup.prior import PriorMatches, sorted_per_band
from platform_assets.processors.dedup.union_find import collision_edges, components

Verdict = tuple[str, str] | None


class CorpusLookup(Protocol):
    """The corpus's index rows sharing a band key with sorted keys per band (`index_lookup.IndexLookup`)."""

    def match(self, per_band: list[tuple[np.ndarray, np.ndarray]]) -> PriorMatches: ...


def pair_texts(rows: list[dict]) -> list[str]:
    return [f"{r['prompt']}\n{r['chosen']}\n{r['rejected']}" for r in rows]


def duplicates(rows: list[dict], preset: MinHashPreset) -> list[Verdict]:
    """Within the run, in row order: the first of equal or near-equal pairs is kept."""
    texts = pa.array(pair_texts(rows), pa.large_string())
    out: list[Verdict] = [None] * len(rows)
    exact = exact_hashes(texts)
    first: dict[tuple[int, int], int] = {}
    for i, (a, b) in enumerate(exact.tolist()):
        j = first.setdefault((a, b), i)
        if j != i:
            out[i] = _dup("duplicate", rows, i, j)
    keys, present = document_bands(texts, preset)
    nodes = np.flatnonzero(present)
    edges = [collision_edges(keys[nodes, band], nodes) for band in range(keys.shape[1])]
    a = np.concatenate([e[0] for e in edges]) if edges else np.empty(0, np.int64)
    b = np.concatenate([e[1] for e in edges]) if edges else np.empty(0, np.int64)
    root = components(len(rows), a, b)
    kept_of: dict[int, int] = {}
    for i in range(len(rows)):
        j = kept_of.setdefault(int(root[i]), i)
        if out[i] is None and j != i:
            out[i] = _dup("near_duplicate", rows, i, j)
    return out


def _dup(kind: str, rows: list[dict], i: int, j: int) -> tuple[str, str]:
    scope = "within_prompt" if rows[i]["doc_id"] == rows[j]["doc_id"] else "in_run"
    return f"{kind}_{scope}", f"pair {rows[j]['pair_id']} kept"


def corpus(rows: list[dict], preset: MinHashPreset, index: CorpusLookup) -> list[Verdict]:
    """Each side against the corpus index (one lookup for both sides: binary searches in its sorted runs,
    so a chunk's cost follows the chunk, not the corpus); the seed document is exempt."""
    out: list[Verdict] = [None] * len(rows)
    sides = [f"{r['prompt']}\n{r[side]}" for side in ("chosen", "rejected") for r in rows]
    keys, present = document_bands(pa.array(sides, pa.large_string()), preset)
    found = index.match(sorted_per_band(keys, present))
    for k, doc_id in zip(found.current, found.prior_id, strict=True):
        i, side = k % len(rows), ("chosen", "rejected")[k // len(rows)]
        if out[i] is None and doc_id != rows[i]["doc_id"]:
            out[i] = ("duplicates_corpus", f"{side} is a near duplicate of clean document {doc_id}")
    return out


def contamination(rows: list[dict], index: decontam.NgramIndex, preset: decontam.Preset,
                  canaries: dict[str, str]) -> list[Verdict]:
    """Any eval-item n-gram match (or canary) drops the pair; detail names every item matched."""
    out: list[Verdict] = [None] * len(rows)
    ids = [str(i) for i in range(len(rows))]
    hits: dict[int, list[str]] = {}
    for hit in decontam.check_texts(ids, pair_texts(rows), index, preset, canaries):
        item = hit["item_id"] or "canary"
        hits.setdefault(int(hit["doc_id"]), []).append(
            f"{hit['eval_set']}/{item} ({hit['matched_ngrams']} matched {index.n}-grams)")
    for i, items in hits.items():
        out[i] = ("contaminated", "; ".join(items))
    return out
