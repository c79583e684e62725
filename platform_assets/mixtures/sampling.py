"""Token-budget sampling of mixture components and the global shuffle (pure numpy, no I/O).

OLMo-core semantics: component `c` gets `ceil(requested_tokens * target_ratio / sum of ratios)` tokens
(ratios that sum to 1 within OLMo-core's tolerance are normalised first); it takes whole documents until
their tokens come closest to that budget (within half a document; docs/mixtures.md). It may use at most
`max_source_fraction` of its documents' tokens, repeated up to `max_repetition_ratio` times, and a component
that cannot cover its share that way is a hard error (never a silently smaller share).

Which documents are taken depends only on the documents, never on the order a query returned them or on
the seed: each document's priority is a stable hash of (component, doc_id), and a component takes documents
by priority until its budget is closest. The seed drives the global shuffle alone, so another seed gives
another order over exactly the same (document, epoch) multiset.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from platform_assets.processors.hashing import GOLDEN, hash64, mix64, seed_of

_HASH_ROWS = 64 * 1024  # doc ids turned into Python strings at a time


class InsufficientTokensError(ValueError):
    """A component is too small for its share of the requested tokens."""


@dataclass(frozen=True)
class Source:
    """One component's documents: token counts and priorities, aligned with the rows of its staged data."""

    name: str
    tokens: np.ndarray  # int64, one per document
    priority: np.ndarray  # uint64, `doc_priority` of each document
    target_ratio: float
    max_repetition_ratio: float = 1.0
    max_source_fraction: float = 1.0


@dataclass(frozen=True)
class ComponentStats:
    name: str
    target_ratio: float
    target_tokens: int
    available_tokens: int
    pool_tokens: int  # the documents within max_source_fraction: what repetition multiplies
    achieved_tokens: int
    samples: int  # rows in the mixture, repeats included
    documents: int  # distinct documents
    epochs: int
    repetition_factor: float  # achieved tokens / pool tokens, at most max_repetition_ratio


@dataclass(frozen=True)
class Plan:
    """The mixture in its final, shuffled order: sample i is row `row[i]` of component `component[i]`."""

    component: np.ndarray  # int32, index into the sources
    row: np.ndarray  # int64, row of that source's staged data
    epoch: np.ndarray  # int32, 0 = first use of the document
    stats: list[ComponentStats]

    def achieved_ratios(self) -> dict[str, float]:
        total = sum(s.achieved_tokens for s in self.stats) or 1
        return {s.name: s.achieved_tokens / total for s in self.stats}


def doc_priority(doc_ids: Sequence[str] | pa.Array | pa.ChunkedArray, salt: str) -> np.ndarray:
    """Stable pseudo-random priority per document (xxh3 of salt and doc_id).

    An Arrow column is hashed a slice at a time, so only `_HASH_ROWS` ids exist as Python strings at once.
    """
    seed = seed_of(salt)
    out = np.empty(len(doc_ids), np.uint64)
    for start in range(0, len(doc_ids), _HASH_ROWS):
        part = doc_ids[start:start + _HASH_ROWS]
        ids = part if isinstance(part, Sequence) else part.to_pylist()
        out[start:start + len(ids)] = hash64(ids, seed, len(ids))
    return out


def plan_mixture(sources: Sequence[Source], requested_tokens: int, seed: int) -> Plan:
    """Samples each source to its budget, then shuffles all samples together with `seed`.

    Each component first takes the whole documents closest to its budget; while the mixture then holds fewer
    than `requested_tokens`, one more document goes to a component still short of its budget, the one whose
    next document leaves the achieved ratios closest to the targets (OLMo-core's largest-remainder step, with
    documents for instances). It stops short only when no component can take another document under its
    repetition cap.
    """
    ratio_sum = sum(source.target_ratio for source in sources)
    targets = [math.ceil(requested_tokens * s.target_ratio / ratio_sum - 1e-9) for s in sources]  # no dust
    picks = [select(s, t, requested_tokens) for s, t in zip(sources, targets, strict=True)]
    extra = [0] * len(sources)
    while sum(_tokens(s, rows) for s, (rows, _) in zip(sources, picks, strict=True)) < requested_tokens:
        more = {i: select(s, targets[i], requested_tokens, extra[i] + 1) for i, s in enumerate(sources)}
        grown = {i: p for i, p in more.items() if len(p[0]) > len(picks[i][0])}
        short = {i: p for i, p in grown.items() if _tokens(sources[i], picks[i][0]) < targets[i]}
        grown = short or grown  # components short of their budget first, as Hamilton's method
        if not grown:
            break
        best = min(grown, key=lambda i: (_worst_ratio_error(sources, targets, picks, i, grown[i][0]), i))
        picks[best], extra[best] = grown[best], extra[best] + 1
    stats = [_stats(s, t, rows, epochs) for s, t, (rows, epochs) in zip(sources, targets, picks, strict=True)]
    component = np.concatenate([np.full(len(rows), i, np.int32) for i, (rows, _) in enumerate(picks)])
    row, epoch = (np.concatenate(parts) for parts in zip(*picks, strict=True))
    order = np.random.default_rng(seed).permutation(len(row))
    return Plan(component[order], row[order], epoch[order], stats)


def _worst_ratio_error(sources, targets, picks, grown: int, rows: np.ndarray) -> float:
    """The largest |achieved - target| share over the components, were component `grown` to take `rows`."""
    tokens = [_tokens(s, rows if i == grown else taken)
              for i, (s, (taken, _)) in enumerate(zip(sources, picks, strict=True))]
    return max(abs(t / sum(tokens) - b / sum(targets)) for t, b in zip(tokens, targets, strict=True))


def _tokens(source: Source, rows: np.ndarray) -> int:
    return int(source.tokens[rows].sum())


def _stats(source: Source, target: int, rows: np.ndarray, epochs: np.ndarray) -> ComponentStats:
    achieved = _tokens(source, rows)
    pool_tokens = int(source.tokens[pool(source)].sum())
    return ComponentStats(
        name=source.name, target_ratio=source.target_ratio, target_tokens=target,
        available_tokens=int(source.tokens.sum()), pool_tokens=pool_tokens, achieved_tokens=achieved,
        samples=len(rows), documents=len(np.unique(rows)), epochs=int(epochs.max()) + 1 if len(epochs) else 0,
        repetition_factor=round(achieved / pool_tokens, 6) if pool_tokens else 0.0,
    )


def pool(source: Source) -> np.ndarray:
    """The rows a component may use, in priority order: the highest-priority whole documents that fit in
    `max_source_fraction` of its tokens (all of them at 1.0)."""
    order = np.argsort(source.priority, kind="stable")
    if source.max_source_fraction < 1.0:
        allowed = int(source.tokens.sum()) * source.max_source_fraction
        order = order[:np.searchsorted(np.cumsum(source.tokens[order]), allowed, "right")]
    return order


def select(source: Source, target: int, requested_tokens: int,
           extra: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(rows, epochs) of `source` whose tokens come closest to `target`, plus `extra` more documents of the
    same epoch where there are; raises when it cannot reach the target.

    The tokens taken never exceed `max_repetition_ratio` x the pool's, rounding to whole documents included.
    """
    order = pool(source)
    pool_tokens = int(source.tokens[order].sum())
    usable = int(pool_tokens * source.max_repetition_ratio)
    if target > usable:
        raise InsufficientTokensError(_too_small(source, pool_tokens, usable, target, requested_tokens))
    if target == 0 and extra == 0 or pool_tokens == 0:
        return np.empty(0, np.int64), np.empty(0, np.int32)
    full, rest = divmod(target, pool_tokens)
    rows = [order] * full
    epochs = [np.full(len(order), e, np.int32) for e in range(full)]
    # the last, partial epoch: a fresh priority order over the same pool, never past the cap
    again = order[np.argsort(_epoch_key(source.priority[order], full), kind="stable")]
    cumulative = np.cumsum(source.tokens[again])
    k = min(closest_prefix(source.tokens[again], rest) + extra,
            int(np.searchsorted(cumulative, usable - full * pool_tokens, "right")))
    rows.append(again[:k])
    epochs.append(np.full(k, full, np.int32))
    return np.concatenate(rows).astype(np.int64), np.concatenate(epochs)


def closest_prefix(tokens: np.ndarray, target: int) -> int:
    """How many leading documents sum closest to `target` (ties take the extra document)."""
    cumulative = np.cumsum(tokens)
    first_reaching = int(np.searchsorted(cumulative, target, "left"))
    if first_reaching >= len(cumulative):
        return len(cumulative)
    below = int(cumulative[first_reaching - 1]) if first_reaching else 0
    over = int(cumulative[first_reaching]) - target
    return first_reaching + 1 if over <= target - below else first_reaching


def _epoch_key(priority: np.ndarray, epoch: int) -> np.ndarray:
    """splitmix64 of priority and epoch: an independent order per epoch; epoch 0 keeps the priority order."""
    if epoch == 0:
        return priority
    with np.errstate(over="ignore"):
        return mix64(priority ^ (np.uint64(epoch) * np.uint64(GOLDEN)))


def _too_small(source: Source, pool_tokens: int, usable: int, target: int, requested: int) -> str:
    available = int(source.tokens.sum())
    needed_repetition = target / pool_tokens if pool_tokens else float("inf")
    return (
        f"component {source.name!r} is too small for its share: {available:,} tokens available, "
        f"{target:,} tokens needed ({source.target_ratio:g} of requested_tokens {requested:,}); "
        f"usable = {pool_tokens:,} tokens within max_source_fraction {source.max_source_fraction:g} "
        f"x max_repetition_ratio {source.max_repetition_ratio:g} = {usable:,}. Add data, lower target_ratio "
        f"or requested_tokens, or set max_repetition_ratio >= {needed_repetition:.3g}"
    )
