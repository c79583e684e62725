"""Documents per second of the in-process classifier stack (quality + domain + difficulty) on web-length text.

`python -m bench.classify_throughput [--quick] [--docs N] [--workers W]`. Prints the median rate of one
process and of a process pool over all cores, each classifier alone, and a per-document Python quality
scorer (regex tokens, xxhash per n-gram) as the baseline, all measured in this run. Target: >= 5,000 docs/s.
"""

from __future__ import annotations

import argparse
import re
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pyarrow as pa
import xxhash

from bench.common import cores, median_times, print_table, write_result
from platform_assets import settings
from platform_assets.processors.classifiers import ngram_model, stack, synthetic_web
from platform_assets.processors.classifiers.quality_training import load_config, load_reference, train_quality
from resources.executor import compact

TARGET_DOCS_PER_S = 5000
_stack: list = []


def train_model() -> ngram_model.NgramModel:
    config = load_config(settings.SPEC_DIR / "quality" / "quality_v1.yaml")
    docs = synthetic_web.documents(1500, seed=99, mean_chars=800)
    negatives = [
        t for t, d in zip(docs["text"].to_pylist(), docs["domain"].to_pylist(), strict=True) if d == "prose"
    ]
    return train_quality(load_reference(config, settings.SPEC_DIR / "quality"), negatives, config)


def _init(model_table: pa.Table) -> None:
    _stack[:] = stack.build_stack(stack.DEFAULT_CLASSIFIERS, ngram_model.from_table(model_table))


def _work(batch: pa.RecordBatch) -> int:
    return stack.classify_batch(batch, _stack).num_rows


def naive_quality(texts: list[str], model: ngram_model.NgramModel) -> np.ndarray:
    """The per-document Python way: regex tokens, one xxhash call and one lookup per n-gram."""
    n, w, out = model.params.n_buckets, model.weights, np.empty(len(texts))
    for i, text in enumerate(texts):
        toks = re.findall(r"\w+", text.lower())
        grams = toks + [a + " " + b for a, b in zip(toks, toks[1:], strict=False)]
        out[i] = model.bias + (
            sum(w[xxhash.xxh64_intdigest(g.encode()) % n] for g in grams) / max(len(grams), 1)
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.classify_throughput", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--quick", action="store_true", help="2,000 documents, 2 rounds")
    parser.add_argument("--docs", type=int, default=None, help="documents per round (default 20,000)")
    parser.add_argument("--workers", type=int, default=cores())
    args = parser.parse_args(argv)
    n = args.docs or (2000 if args.quick else 20_000)
    repeat = 2 if args.quick else 3
    docs = synthetic_web.documents(n, seed=1, mean_chars=3000).select(["doc_id", "day", "text", "domain"])
    batches = [compact(b) for b in docs.to_batches(max_chunksize=1024)]  # as the executor ships them
    mean_chars = float(np.mean([len(t) for t in docs["text"].to_pylist()]))
    model = train_model()
    model_table = ngram_model.to_table(model, "quality_v1")
    _init(model_table)
    naive_docs = docs.slice(0, max(200, n // 20))["text"].to_pylist()

    with ProcessPoolExecutor(args.workers, initializer=_init, initargs=(model_table,)) as pool:
        list(pool.map(_work, batches))  # warm the workers (parsers, power tables)
        fns = {
            "stack, 1 process": lambda _: [_work(b) for b in batches],
            f"stack, {args.workers} processes": lambda _: list(pool.map(_work, batches)),
            "naive quality (Python loop)": lambda _: naive_quality(naive_docs, model),
        }
        for clf in _stack:
            fns[f"{clf.name} alone"] = lambda _, c=clf: [c.apply(b) for b in batches]
        secs = median_times(fns, repeat=repeat, warmup=1)
    rate = {k: (len(naive_docs) if k.startswith("naive") else n) / s for k, s in secs.items()}
    pool_rate = rate[f"stack, {args.workers} processes"]
    quality_alone = rate["quality_v1 alone"]
    speedup = quality_alone / rate["naive quality (Python loop)"]
    print_table(
        ["method", "median s", "docs/s"],
        [[k, secs[k], round(rate[k])] for k in secs],
        title=f"{n:,} documents, mean {mean_chars:,.0f} chars, {cores()} cores",
    )
    print(
        f"\nstack on all cores: {pool_rate:,.0f} docs/s (target {TARGET_DOCS_PER_S:,}: "
        f"{'met' if pool_rate >= TARGET_DOCS_PER_S else 'NOT met'}); "
        f"vectorized quality vs per-document Python: {speedup:.1f}x"
    )
    write_result(
        "classify_throughput",
        {
            "docs": n,
            "mean_chars": round(mean_chars),
            "workers": args.workers,
            "unit": "docs/s",
            "median_s": {k: round(v, 4) for k, v in secs.items()},
            "docs_per_s": {k: round(v) for k, v in rate.items()},
            "stack_docs_per_s_all_cores": round(pool_rate),
            "target_docs_per_s": TARGET_DOCS_PER_S,
            "target_met": pool_rate >= TARGET_DOCS_PER_S,
            "ratio_quality_vectorized_vs_naive": round(
                quality_alone / rate["naive quality (Python loop)"], 2
            ),
            "mb_per_s_all_cores": round(pool_rate * mean_chars / 1e6, 2),
            "measured_at": time.strftime("%Y-%m-%d"),
        },
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
