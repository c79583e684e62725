"""Columns of `preference_pairs` and `rejected_pairs`, and the one function that fills a row.

Text and chat forms side by side: `prompt`/`chosen`/`rejected` as strings, and `*_messages` as lists of
`{role, content}` (TRL's conversational preference format: DPOTrainer and RewardTrainer read either).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pyarrow as pa

from platform_assets.processors.synthetics.tasks import chat_turns

MESSAGES = pa.list_(pa.struct([("role", pa.string()), ("content", pa.string())]))
PAIR_FIELDS = [
    ("synthetic", pa.string()), ("pair_id", pa.string()), ("doc_id", pa.string()),
    ("seed_asset", pa.string()), ("seed_version", pa.int64()), ("task", pa.string()),
    ("prompt", pa.string()), ("chosen", pa.string()), ("rejected", pa.string()),
    ("prompt_messages", MESSAGES), ("chosen_messages", MESSAGES), ("rejected_messages", MESSAGES),
    ("margin", pa.float64()), ("token_count", pa.int64()), ("generator", pa.string()), ("model", pa.string()),
    ("template_hash", pa.string()), ("chosen_sampling", pa.string()), ("rejected_sampling", pa.string()),
    ("seed", pa.int64()), ("chosen_sample_index", pa.int32()), ("rejected_sample_index", pa.int32()),
    ("perturbation", pa.string()), ("judge", pa.string()), ("chosen_score", pa.float64()),
    ("rejected_score", pa.float64()), ("chosen_verdict", pa.string()), ("rejected_verdict", pa.string()),
    ("verdict_ab", pa.string()), ("verdict_ba", pa.string()), ("judge_model", pa.string()),
    ("spec_hash", pa.string()),
]
REJECTED_FIELDS = [("stage", pa.string()), ("reason", pa.string()), ("detail", pa.string())]


@dataclass(frozen=True)
class Schemas:
    pairs: pa.Schema
    rejected: pa.Schema


def output_schema(output_columns: list[str], seeds: pa.Schema) -> Schemas:
    extra = [seeds.field(c) for c in output_columns]
    pairs = pa.schema([*PAIR_FIELDS, *extra])
    return Schemas(pairs, pa.schema([*PAIR_FIELDS, *REJECTED_FIELDS, *extra]))


def prompt_messages(task: str | None, prompt: str | None) -> list[dict] | None:
    if prompt is None:
        return None
    turns = chat_turns(prompt) if task == "dialog" else []
    return [{"role": r, "content": c} for r, c in turns] or [{"role": "user", "content": prompt}]


def _answer(text: str | None) -> list[dict] | None:
    return None if text is None else [{"role": "assistant", "content": text}]


def pair_id(synthetic: str, doc_id: str, *parts: object) -> str:
    body = "\x1f".join([synthetic, doc_id, *map(str, parts)])
    return hashlib.sha256(body.encode()).hexdigest()[:24]


def pair_row(ctx: dict, extras: dict, first: dict | None, chosen: dict | None, rejected: dict | None,
             judged: dict, stage: str | None = None, reason: str | None = None) -> dict:
    """One output row. `first` is any sample of the prompt (task, prompt, generator), `chosen`/`rejected`
    the samples paired (None when no pair was made), `judged` the judge's candidate dict."""
    s = first or {}
    c, r = chosen or {}, rejected or {}
    text_c, text_r = c.get("response"), r.get("response")
    row = {
        **ctx, **extras, "doc_id": judged["doc_id"], "task": s.get("task"), "prompt": s.get("prompt"),
        "pair_id": pair_id(ctx["synthetic"], judged["doc_id"], c.get("sample_index"), r.get("sample_index"),
                           hashlib.sha256(f"{text_c}\x1f{text_r}".encode()).hexdigest()),
        "chosen": text_c, "rejected": text_r,
        "prompt_messages": prompt_messages(s.get("task"), s.get("prompt")),
        "chosen_messages": _answer(text_c), "rejected_messages": _answer(text_r),
        "margin": judged.get("margin"), "generator": s.get("generator"), "model": s.get("model"),
        "template_hash": s.get("template_hash"), "chosen_sampling": c.get("sampling"),
        "rejected_sampling": r.get("sampling"), "seed": s.get("seed"),
        "chosen_sample_index": c.get("sample_index"), "rejected_sample_index": r.get("sample_index"),
        "perturbation": r.get("perturbation"), "judge": judged.get("judge"),
        "chosen_score": judged.get("chosen_score"), "rejected_score": judged.get("rejected_score"),
        "chosen_verdict": judged.get("chosen_verdict"), "rejected_verdict": judged.get("rejected_verdict"),
        "verdict_ab": judged.get("verdict_ab"), "verdict_ba": judged.get("verdict_ba"),
        "judge_model": judged.get("judge_model"),
    }
    if reason is not None:
        row.update(stage=stage, reason=reason, detail=judged.get("detail"))
    return row
