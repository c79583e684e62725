"""A small lake with every input the analytics models read, in the real schemas, over a few days."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

import lance
import pyarrow as pa

from platform_assets.analytics.mixture_targets import TARGETS_SCHEMA
from platform_assets.eval_sets.contamination import CONTAMINATION_SCHEMA
from platform_assets.eval_sets.items import ITEM_SCHEMA
from platform_assets.processors.classifiers import stack
from platform_assets.processors.dedup.schemas import CLEAN_SCHEMA, REJECTED_SCHEMA
from platform_assets.processors.labeling.adjudicate import ADJUDICATED_SCHEMA
from platform_assets.processors.labeling.annotations import LABEL_SCHEMA
from platform_assets.processors.labeling.tasks import TASK_SCHEMA
from platform_assets.synthetics.schema import output_schema

DAYS = ["2026-03-01", "2026-03-02", "2026-03-03"]
DOMAINS = ["prose", "code", "math", "dialog"]
DROPS = [("language", "language_id_v1", "language_not_allowed"), ("quality", "gopher_quality_v1",
         "gopher_short_doc"), ("dedup", "exact_dedup_v1", "exact_duplicate"),
         ("dedup", "minhash_dedup_v1", "near_duplicate")]
EVAL_SETS = ["set_a", "set_b"]


def classification_schema() -> pa.Schema:
    keys = [pa.field("doc_id", pa.string()), pa.field("day", pa.string())]
    names = [n for n in stack.DEFAULT_CLASSIFIERS if n != "quality_v1"]
    schema = stack.output_schema(stack.build_stack(names), keys)
    return schema.append(pa.field("score__quality_v1", pa.float32()))


def _table(rows: list[dict], schema: pa.Schema) -> pa.Table:
    return pa.Table.from_pylist([{f.name: r.get(f.name) for f in schema} for r in rows], schema)


def tables(days: list[str] = DAYS, seed: int = 0, relabel: str | None = None) -> dict[str, pa.Table]:
    """Each input table; with `relabel`, every row's `day` becomes that one value (the days as one)."""
    rng, clean, rejected, scores, hits = random.Random(seed), [], [], [], []
    for d, day in enumerate(days):
        for i in range(40 + 15 * d):  # days differ in size, so a wrong merge shows
            doc = f"{day}-{i}"
            text = "word " * rng.randint(3, 3000)
            clean.append({"doc_id": doc, "source": rng.choice(["web", "code"]), "source_id": doc, "day": day,
                          "text": text, "domain": rng.choice(DOMAINS),
                          "language": rng.choice(["en", "en", "de"]),
                          "language_score": 0.9, "token_count": len(text) // 5})
            scores.append({"doc_id": doc, "day": day, "score__quality_v1": rng.random(),
                           "score__domain_v1": rng.random(), "score__difficulty_math_v1": rng.random()})
        for i in range(5 + 3 * d):
            stage, name, reason = DROPS[(i + d) % len(DROPS)]
            rejected.append({"doc_id": f"{day}-r{i}", "source": "web", "source_id": str(i), "day": day,
                             "stage": stage, "filter": name, "reason": reason,
                             "language": rng.choice(["fr", "en"]),
                             "text": "x"})
        for i in range(d + 1):
            hits.append({"doc_id": f"{day}-{i}", "day": day, "eval_set": EVAL_SETS[i % 2], "item_id": f"q{i}",
                         "matched_ngrams": 3 + i, "action": ["drop", "cut"][i % 2],
                         "reason": ["too_many_matches", "ngram_cut"][i % 2], "preset": "lm_eval"})
    out = {"clean_documents": _table(clean, CLEAN_SCHEMA),
           "rejected_documents": _table(rejected, REJECTED_SCHEMA),
           "document_classifications": _table(scores, classification_schema()),
           "contamination": _table(hits, CONTAMINATION_SCHEMA)}
    if relabel:
        out = {k: t.set_column(t.schema.get_field_index("day"), "day", pa.array([relabel] * t.num_rows))
               for k, t in out.items()}
    items = [{"eval_set": s, "item_id": f"q{i}"} for s in EVAL_SETS for i in range(3)]
    out["eval_items"] = _table(items, ITEM_SCHEMA)
    mixture = [{"mixture": "mix", "sample_index": i, "doc_id": f"{DAYS[0]}-{i}", "component": c, "epoch": 0,
                "text": "t", "token_count": 10 * (i + 1)} for i, c in enumerate(["a", "a", "b"])]
    out["mixtures"] = pa.Table.from_pylist(mixture)
    targets = [{"mixture": "mix", "component": c, "target_ratio": 0.5, "requested_tokens": 60,
                "target_tokens": 30} for c in ("a", "b")]
    out["mixture_targets"] = _table(targets, TARGETS_SCHEMA)
    schemas = output_schema([], pa.schema([]))
    pairs = [{"synthetic": "verified", "task": t, "chosen": "a longer answer", "rejected": "short",
              "margin": 1.0} for t in ("math", "math", "code")]
    out["preference_pairs"] = _table(pairs, schemas.pairs)
    out["rejected_pairs"] = _table([{"synthetic": "verified", "task": "math", "stage": "judge",
                                     "reason": "position_flip"}], schemas.rejected)
    out.update(labeling())
    return out


def labeling() -> dict[str, pa.Table]:
    """One queue `q` of five tasks: i1, i2 answered by a and b (agree on i1; on i2 a's later answer differs),
    i3 (gold `high`) and i4 on the random slice, i5 only cancelled. Figures: tests/.../test_sql_models.py."""
    slices = {"i1": "uncertainty", "i2": "uncertainty", "i3": "random", "i4": "random", "i5": "random"}
    tasks = [{"queue": "q", "task_id": i, "item_id": i, "slice": s, "gold": "high" if i == "i3" else None,
              "overlap_group": 0 if i in ("i1", "i2") else None} for i, s in slices.items()]
    answers = [("i1", "a", "high", "high", 1, False), ("i1", "b", "high", "high", 1, False),
               ("i2", "a", "high", "high", 1, False), ("i2", "a", "low", "high", 2, False),
               ("i2", "b", "high", "high", 1, False), ("i3", "a", "high", "low", 2, False),
               ("i4", "b", "low", None, 2, False), ("i5", "a", None, "low", 2, True)]
    labels = [{"queue": "q", "item_id": i, "annotator": who, "answer": answer, "seen_label": seen,
               "labels_version": version, "cancelled": cancelled, "annotation_key": f"{i}{who}{version}",
               "created_at": datetime(2026, 3, 1, version, tzinfo=UTC)}
              for i, who, answer, seen, version, cancelled in answers]
    decided = [(1, "i4", "high"), (2, "i1", "high"), (2, "i2", None), (2, "i3", "high"), (2, "i4", "low")]
    adjudicated = [{"queue": "q", "labels_version": v, "item_id": i, "label": label, "slice": slices[i],
                    "suggestion_label": "low"} for v, i, label in decided]
    return {"labeling_queue": _table(tasks, TASK_SCHEMA), "human_labels": _table(labels, LABEL_SCHEMA),
            "adjudicated_labels": _table(adjudicated, ADJUDICATED_SCHEMA)}


def write(lake: Path, **kwargs) -> dict[str, pa.Table]:
    lake.mkdir(parents=True, exist_ok=True)
    out = tables(**kwargs)
    for name, table in out.items():
        lance.write_dataset(table, lake / f"{name}.lance", mode="overwrite")
    return out
