"""The analytics report over 30 days: reading the daily aggregates against recomputing from the documents.

Writes 30 days of the analytics models' inputs (clean and rejected documents, classifications,
contamination hits, eval items) in their real schemas, materializes every daily model's aggregate one day at
a time (the daily cost), then times, in interleaved rounds, the report's data step two ways:

- aggregates: what `maslow report` does, read each model's daily rows for the 30 days and merge them;
- recompute: run each daily model's SQL over all 30 days of `clean_documents` and the other inputs.

It also times rendering every panel (the same in both) and one day of every model against 30 days, the
incremental cost. `python -m bench report [--quick] [--days 30] [--docs-per-day 1000]`.
"""

from __future__ import annotations

import argparse
import shutil
import time

import lance
import numpy as np
import pyarrow as pa

from bench.common import data_dir, median_times, print_table, write_result
from platform_assets.analytics.sql_models import load_models
from platform_assets.cli.report.data import chart_rows, read_range
from platform_assets.eval_sets.contamination import CONTAMINATION_SCHEMA
from platform_assets.eval_sets.items import ITEM_SCHEMA
from platform_assets.processors.dedup.schemas import CLEAN_SCHEMA, REJECTED_SCHEMA
from resources.duckdb_engine import DuckDBEngine

WORDS = np.array("the of and model data token corpus train clean filter code math proof value".split())


def _days(n: int) -> list[str]:
    return [str(np.datetime64("2026-01-01") + i) for i in range(n)]


def _column_table(columns: dict, schema: pa.Schema) -> pa.Table:
    n = len(next(iter(columns.values())))
    arrays = [pa.array(columns[f.name], f.type) if f.name in columns else pa.nulls(n, f.type) for f in schema]
    return pa.Table.from_arrays(arrays, schema=schema)


def inputs(day: str, docs: int, rng: np.random.Generator) -> dict[str, pa.Table]:
    """One day of every input: `docs` clean documents, a tenth as many rejected, a few contamination hits."""
    lengths = rng.integers(20, 800, docs)
    texts = [" ".join(rng.choice(WORDS, n)) for n in lengths]
    ids = [f"{day}-{i}" for i in range(docs)]
    clean = _column_table({
        "doc_id": ids, "source": rng.choice(["web", "code", "books"], docs).tolist(), "source_id": ids,
        "day": [day] * docs, "text": texts,
        "domain": rng.choice(["prose", "code", "math", "dialog"], docs).tolist(),
        "language": rng.choice(["en", "en", "en", "de", "fr"], docs).tolist(),
        "token_count": lengths * 5 // 4,
    }, CLEAN_SCHEMA)
    k = docs // 10
    stages = rng.choice(["language", "quality", "dedup"], k)
    rejected = _column_table({
        "doc_id": [f"{day}-r{i}" for i in range(k)], "source": ["web"] * k,
        "source_id": [str(i) for i in range(k)],
        "day": [day] * k, "stage": stages.tolist(), "filter": [f"{s}_v1" for s in stages],
        "reason": [rng.choice(["exact_duplicate", "near_duplicate"]) if s == "dedup" else f"{s}_drop"
                   for s in stages], "language": rng.choice(["en", "ja"], k).tolist(), "text": ["x"] * k,
    }, REJECTED_SCHEMA)
    scores = pa.table({"doc_id": ids, "day": [day] * docs, **{
        f"score__{c}": pa.array(rng.random(docs), pa.float32()) for c in
        ("quality_v1", "domain_v1", "difficulty_math_v1", "difficulty_code_v1", "difficulty_mc_v1")}})
    hits = _column_table({"doc_id": ids[:3], "day": [day] * 3, "eval_set": ["a", "b", "a"],
                          "item_id": ["1"] * 3,
                          "matched_ngrams": [5, 9, 2], "action": ["drop", "cut", "drop"],
                          "reason": ["too_many_matches", "ngram_cut", "canary"]}, CONTAMINATION_SCHEMA)
    return {"clean_documents": clean, "rejected_documents": rejected, "document_classifications": scores,
            "contamination": hits}


def build_lake(lake, days: list[str], docs: int) -> None:
    shutil.rmtree(lake, ignore_errors=True)
    rng = np.random.default_rng(0)
    for i, day in enumerate(days):
        for name, table in inputs(day, docs, rng).items():
            lance.write_dataset(table, lake / f"{name}.lance", mode="append" if i else "create")
    items = _column_table({"eval_set": ["a", "b"], "item_id": ["1", "1"]}, ITEM_SCHEMA)
    lance.write_dataset(items, lake / "eval_items.lance")


def materialize_daily(engine: DuckDBEngine, lake, models, days: list[str]) -> float:
    """Every daily model, one day at a time, appended to its dataset; returns the mean seconds per day."""
    started = time.perf_counter()
    for i, day in enumerate(days):
        for model in models:
            filters = {r: f"day = '{day}'" for r in model.refs if "day" in engine.schema(r).names}
            table = engine.query(model.sql, ref_filters=filters).read_all()
            lance.write_dataset(table, lake / f"{model.name}.lance", mode="append" if i else "create")
    return (time.perf_counter() - started) / len(days)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench report", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--docs-per-day", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    docs = args.docs_per_day or (100 if args.quick else 1000)
    days, lake = _days(args.days), data_dir("report") / "lake"
    build_lake(lake, days, docs)
    engine = DuckDBEngine(root_uri=str(lake))
    models = [m for m in load_models() if m.header.partitioning == "daily"]
    per_day_s = materialize_daily(engine, lake, models, days)
    daily_inputs = ("clean_documents", "rejected_documents", "document_classifications", "contamination")
    whole = {r: f"day >= '{days[0]}' AND day <= '{days[-1]}'" for r in daily_inputs}
    last = {r: f"day = '{days[-1]}'" for r in daily_inputs}

    def from_aggregates(_round: int) -> None:
        for model in models:
            chart_rows(model, read_range(str(lake), model, days[0], days[-1])[0])

    def recompute(_round: int) -> None:
        for model in models:
            filters = {r: w for r, w in whole.items() if r in model.refs}
            chart_rows(model, engine.query(model.sql, ref_filters=filters).read_all())

    def one_day(_round: int) -> None:
        for model in models:
            engine.query(model.sql, ref_filters={r: w for r, w in last.items() if r in model.refs}).read_all()

    times = median_times({"aggregates": from_aggregates, "recompute": recompute, "one_day_models": one_day},
                         repeat=1 if args.quick else args.repeat)
    ratio = times["recompute"] / times["aggregates"]
    seconds = {k: round(v, 4) for k, v in times.items()} | {"materialize_per_day": round(per_day_s, 4)}
    incremental = times["recompute"] / times["one_day_models"]
    goal = "report data from aggregates at least 5x faster than recomputing"
    figures = {"quick": args.quick, "seconds": seconds,
               "params": {"days": args.days, "docs_per_day": docs, "models": len(models)},
               "ratios": {"recompute_over_aggregates": round(ratio, 2),
                          "recompute_all_days_over_one_day": round(incremental, 2)},
               "targets": {"aggregates_faster": {"goal": goal, "met": ratio >= 5}}}
    print_table(["step", "seconds"], [[k, v] for k, v in figures["seconds"].items()],
                title=f"report over {args.days} days x {docs} docs/day, {len(models)} daily models")
    print(f"recompute / aggregates = {ratio:.1f}x; wrote {write_result('report', figures)}")
    return 0
