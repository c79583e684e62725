"""Builds one synthetics spec's pairs: seeds → tasks → generator → judge → gates (no dagster import).

Every seed ends as at least one candidate, and every candidate ends in exactly one of the two outputs:
`preference_pairs` (kept) or `rejected_pairs` (with `stage` and `reason`): candidates = pairs + rejected.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import pyarrow as pa

from platform_assets.processors import decontam
from platform_assets.processors.dedup.presets import MinHashPreset
from platform_assets.processors.synthetics import gates, registry, tasks
from platform_assets.processors.synthetics.samples import TASK_SCHEMA
from platform_assets.processors.tokens import count_tokens
from platform_assets.synthetics.schema import output_schema, pair_row
from platform_assets.synthetics.spec import SEED_COLUMNS, SynthSpec, SynthSpecError

SEED_CHUNK = 512


@dataclass
class GateInputs:
    """What the gates read, at pinned versions: the MinHash preset and the near_dup_index lookup (None: no
    corpus gate), the eval n-gram index and canaries (None: no contamination gate)."""

    minhash: MinHashPreset
    corpus_index: gates.CorpusLookup | None = None
    ngram_index: decontam.NgramIndex | None = None
    canaries: dict[str, str] = field(default_factory=dict)


@dataclass
class Built:
    pairs: pa.Table
    rejected: pa.Table
    stats: dict


def build_pairs(spec: SynthSpec, spec_hash: str, seeds: pa.RecordBatchReader, seed_source: tuple[str, int],
                gate_inputs: GateInputs, client=None, source: str = "") -> Built:
    """`seeds` are the rows of the spec's SQL; `seed_source` is the (asset, Lance version) of the doc_ids."""
    source = source or spec.name
    missing = [c for c in (*SEED_COLUMNS, *spec.output_columns) if c not in seeds.schema.names]
    if missing:
        raise SynthSpecError.at(source, ("sql",), f"the query must return {missing} (it returns "
                                f"{seeds.schema.names})")
    generator = registry.build(spec.generator.name, spec.generator.params, client)
    judge = registry.build(spec.judge.name, spec.judge.params, client)
    ctx = {"synthetic": spec.name, "spec_hash": spec_hash, "seed_asset": seed_source[0],
           "seed_version": seed_source[1]}
    kept, rejected, judge_stats = [], [], Counter()
    for chunk in _chunks(seeds, spec.max_prompts):
        extras = {r["doc_id"]: {c: r[c] for c in spec.output_columns} for r in chunk}
        parsed = [(r["doc_id"], tasks.parse(r["text"], r.get("domain"))) for r in chunk]
        for doc_id, t in parsed:
            if t.task is None:
                rejected.append(pair_row(ctx, extras[doc_id], None, None, None, {"doc_id": doc_id},
                                         stage="seed", reason=t.reason))
        todo = [{"doc_id": d, "task": t.task, "prompt": t.prompt, "reference": t.reference, "key": t.key}
                for d, t in parsed if t.task]
        if not todo:
            continue
        samples = generator.generate(pa.Table.from_pylist(todo, TASK_SCHEMA), spec.samples_per_prompt,
                                     spec.sampling.model_dump(), spec.seed).to_pylist()
        judged = judge.judge(samples, spec.pairing)
        judge_stats.update(judged.stats)
        for c in judged.candidates:
            chosen = samples[c["chosen_index"]] if c["chosen_index"] is not None else None
            worse = samples[c["rejected_index"]] if c["rejected_index"] is not None else None
            first = next(s for s in samples if s["doc_id"] == c["doc_id"])
            row = pair_row(ctx, extras[c["doc_id"]], first, chosen, worse, c,
                           stage="judge" if c["reason"] else None, reason=c["reason"])
            (rejected if c["reason"] else kept).append(row)
    kept, dropped = apply_gates(kept, spec, gate_inputs)
    rejected += dropped
    counts = count_tokens([f"{r['prompt']}\n{r['chosen']}\n{r['rejected']}" for r in kept]) if kept else []
    for row, n in zip(kept, counts, strict=True):
        row["token_count"] = int(n)  # o200k tokens of the whole pair: what a mixture budgets
    schema = output_schema(spec.output_columns, seeds.schema)
    return Built(pa.Table.from_pylist(kept, schema.pairs), pa.Table.from_pylist(rejected, schema.rejected),
                 summarize(kept, rejected, judge_stats))


def _chunks(seeds: pa.RecordBatchReader, limit: int | None) -> Iterator[list[dict]]:
    taken, buffer = 0, []
    for batch in seeds:
        for row in batch.to_pylist():
            if limit is not None and taken >= limit:
                break
            buffer.append(row)
            taken += 1
            if len(buffer) >= SEED_CHUNK:
                yield buffer
                buffer = []
    if buffer:
        yield buffer


def apply_gates(rows: list[dict], spec: SynthSpec, g: GateInputs) -> tuple[list[dict], list[dict]]:
    """(kept, dropped): contamination first (a leak is named as a leak even when it is also a duplicate),
    then duplicates in the run, then the corpus; the first gate that fires gives the reason."""
    verdicts: list[tuple[str, str] | None] = [None] * len(rows)

    def run(name: str, fn) -> None:
        live = [i for i, v in enumerate(verdicts) if v is None]
        for i, v in zip(live, fn([rows[i] for i in live]), strict=True):
            if v is not None:
                verdicts[i] = v

    if spec.gates.decontaminate and g.ngram_index is not None:
        preset = decontam.PRESETS[spec.gates.decontam_preset]
        run("contamination", lambda rs: gates.contamination(rs, g.ngram_index, preset, g.canaries))
    if spec.gates.near_dup:
        run("duplicates", lambda rs: gates.duplicates(rs, g.minhash))
    if spec.gates.corpus_dedup and g.corpus_index is not None:
        run("corpus", lambda rs: gates.corpus(rs, g.minhash, g.corpus_index))
    kept, dropped = [], []
    for row, v in zip(rows, verdicts, strict=True):
        if v is None:
            kept.append(row)
        else:
            dropped.append({**row, "stage": "gate", "reason": v[0], "detail": v[1]})
    return kept, dropped


def summarize(kept: list[dict], rejected: list[dict], judge_stats: Counter) -> dict:
    """Counts for metadata and `maslow demo`: candidates, pairs, verified, dropped by reason, judge bias."""
    reasons = Counter(r["reason"] for r in rejected)
    out = {"candidates": len(kept) + len(rejected), "pairs": len(kept), "rejected": len(rejected),
           "verified": sum(1 for r in kept if r["judge"] == "verifier_v1"),
           "dropped_by_reason": dict(sorted(reasons.items()))}
    out.update(judge_stats)
    if judge_stats.get("judge/judged"):
        out["judge/flip_rate"] = round(judge_stats["judge/flips"] / judge_stats["judge/judged"], 4)
        decisive = judge_stats["judge/decisive"]
        share = judge_stats["judge/longer_wins"] / decisive if decisive else 0.0
        out["judge/longer_win_share"] = round(share, 4)
    return out


