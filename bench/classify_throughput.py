"""Documents per second of the in-process classifier stack (quality + domain + difficulty) on web-length text.

`python -m bench.classify_throughput [--quick] [--docs N] [--workers W]`. Times, in interleaved rounds of
one run: the stack in one process, the stack on a pool of `W` processes (default: all cores), and a
per-document Python quality scorer as the baseline. Targets: the pool at least 1.7x one process and at least
5,000 docs/s on 2 cores.

Wall time on a shared machine measures the neighbours as much as the code, so every round also reads CPU
time: the main process's for one process, each worker's own for the pool. From those come docs per
CPU-second (what one core does when it is free) and `idle_estimate_docs_per_s`, the pool's rate had each
worker a core to itself (documents over the busiest worker's CPU seconds). The load average is recorded
before and after, and whether the kernel groups CPU shares by session (`sched_autogroup`: then a busy
machine gives this whole run, pool included, one session's share, and the wall ratio cannot show the pool's
gain; the same pool with each worker in a session of its own (`setsid`) is timed beside it to show it).
Where the time goes: each classifier's CPU microseconds per document inside the stack
(each sees the columns of those before it, as in the asset).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pyarrow as pa
import xxhash

from bench.common import cores, load_average, median_times, print_table, write_result
from platform_assets import settings
from platform_assets.processors.classifiers import ngram_model, stack, synthetic_web
from platform_assets.processors.classifiers.quality_training import load_config, load_reference, train_quality
from resources.executor import compact

TARGET_DOCS_PER_S = 5000
TARGET_SPEEDUP = 1.7
NAIVE = "naive quality (Python loop)"
APART = ", a session each"
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


def _work(batch: pa.RecordBatch) -> tuple[int, float]:
    """Scores one batch; returns this worker's pid and the CPU seconds it spent."""
    start = time.process_time()
    stack.classify_batch(batch, _stack)
    return os.getpid(), time.process_time() - start


def classifier_cpu(batches: list[pa.RecordBatch]) -> dict[str, float]:
    """CPU seconds of each classifier over `batches`, run as the stack runs them (columns chained)."""
    spent: dict[str, float] = defaultdict(float)
    for batch in batches:
        for clf in _stack:
            start = time.process_time()
            out = clf.apply(batch)
            spent[clf.name] += time.process_time() - start
            for name, arr in out.items():
                batch = batch.append_column(name, arr)
    return dict(spent)


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


def autogroup() -> bool | None:
    """Whether CFS shares CPU between sessions rather than processes (None where the kernel does not say)."""
    try:
        return open("/proc/sys/kernel/sched_autogroup_enabled").read().strip() == "1"
    except OSError:
        return None


class CpuRounds:
    """Per timed method, per round: CPU seconds in total and of the busiest process."""

    def __init__(self) -> None:
        self.total: dict[str, list[float]] = defaultdict(list)
        self.busiest: dict[str, list[float]] = defaultdict(list)

    def add(self, method: str, per_process: dict[int, float]) -> None:
        self.total[method].append(sum(per_process.values()))
        self.busiest[method].append(max(per_process.values()))

    def median(self, which: dict[str, list[float]], method: str, skip: int) -> float:
        return statistics.median(which[method][skip:])


def _init_own_session(model_table: pa.Table) -> None:
    """`_init` in a new session: with sched_autogroup each worker then gets a session's CPU share."""
    os.setsid()
    _init(model_table)


def measure(batches, naive_docs, model, workers: int, repeat: int) -> tuple[dict, CpuRounds]:
    cpu = CpuRounds()
    one, pool_name = "stack, 1 process", f"stack, {workers} processes"

    def in_process(_):
        start = time.process_time()
        for b in batches:
            stack.classify_batch(b, _stack)
        cpu.add(one, {0: time.process_time() - start})

    def on(pool, name):
        def run(_):
            per_worker: dict[int, float] = defaultdict(float)
            for pid, secs in pool.map(_work, batches):
                per_worker[pid] += secs
            cpu.add(name, per_worker)
        return run

    def naive(_):
        start = time.process_time()
        naive_quality(naive_docs, model)
        cpu.add(NAIVE, {0: time.process_time() - start})

    model_table = ngram_model.to_table(model, "quality_v1")
    with (ProcessPoolExecutor(workers, initializer=_init, initargs=(model_table,)) as pool,
          ProcessPoolExecutor(workers, initializer=_init_own_session, initargs=(model_table,)) as apart):
        for p in (pool, apart):
            list(p.map(_work, batches))  # start and warm every worker (parsers, power tables)
        fns = {one: in_process, pool_name: on(pool, pool_name),
               f"{pool_name}{APART}": on(apart, f"{pool_name}{APART}"), NAIVE: naive}
        return median_times(fns, repeat=repeat, warmup=1), cpu


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
    _init(ngram_model.to_table(model, "quality_v1"))
    naive_docs = docs.slice(0, max(200, n // 20))["text"].to_pylist()
    load_before = load_average()
    secs, cpu = measure(batches, naive_docs, model, args.workers, repeat)
    per_classifier = classifier_cpu(batches)
    load_after = load_average()
    figures = summarize(secs, cpu, per_classifier, n, len(naive_docs), args.workers)
    report(figures, secs, n, mean_chars, load_before, load_after)
    write_result("classify_throughput", {
        "docs": n, "mean_chars": round(mean_chars), "workers": args.workers, "unit": "docs/s",
        "median_s": {k: round(v, 4) for k, v in secs.items()}, **figures,
        "load_average_before": load_before, "load_average_after": load_after, "autogroup": autogroup(),
        "mb_per_s_all_cores": round(figures["stack_docs_per_s_all_cores"] * mean_chars / 1e6, 2),
        "measured_at": time.strftime("%Y-%m-%d"),
    })
    return 0


def summarize(secs, cpu: CpuRounds, per_classifier, n: int, naive_n: int, workers: int) -> dict:
    one, pool_name = "stack, 1 process", f"stack, {workers} processes"
    rate = {k: (naive_n if k.startswith("naive") else n) / s for k, s in secs.items()}
    one_cpu, pool_cpu = cpu.median(cpu.total, one, 1), cpu.median(cpu.total, pool_name, 1)
    idle_estimate = n / cpu.median(cpu.busiest, pool_name, 1)
    speedup = rate[pool_name] / rate[one]
    apart = rate[f"{pool_name}{APART}"] / rate[one]
    return {
        "docs_per_s": {k: round(v) for k, v in rate.items()},
        "stack_docs_per_s_all_cores": round(rate[pool_name]),
        "speedup_pool_vs_one_process": round(speedup, 2),
        "speedup_pool_a_session_each_vs_one_process": round(apart, 2),
        "docs_per_cpu_s": {"one process": round(n / one_cpu), "pool": round(n / pool_cpu)},
        "idle_estimate_docs_per_s": round(idle_estimate),
        "idle_estimate_speedup": round(idle_estimate / (n / one_cpu), 2),
        "cpu_us_per_doc_by_classifier": {k: round(v * 1e6 / n, 1) for k, v in per_classifier.items()},
        "target_docs_per_s": TARGET_DOCS_PER_S, "target_speedup": TARGET_SPEEDUP,
        "target_met": rate[pool_name] >= TARGET_DOCS_PER_S and speedup >= TARGET_SPEEDUP,
        "idle_estimate_target_met": idle_estimate >= TARGET_DOCS_PER_S,
        "ratio_quality_vectorized_vs_naive": round(  # CPU time against CPU time
            n / per_classifier["quality_v1"] / (naive_n / cpu.median(cpu.total, NAIVE, 1)), 2
        ),
    }


def report(figures: dict, secs: dict, n: int, mean_chars: float, load_before, load_after) -> None:
    rates = figures["docs_per_s"]
    print_table(["method", "median s", "docs/s"], [[k, secs[k], rates[k]] for k in secs],
                title=f"{n:,} documents, mean {mean_chars:,.0f} chars, {cores()} cores, "
                f"load average {load_before[0]} -> {load_after[0]}")
    print_table(["classifier", "CPU us/doc"], list(figures["cpu_us_per_doc_by_classifier"].items()),
                title="where the time goes (CPU inside the stack)")
    print(
        f"\nstack on all cores: {figures['stack_docs_per_s_all_cores']:,} docs/s, "
        f"{figures['speedup_pool_vs_one_process']}x one process "
        f"({figures['speedup_pool_a_session_each_vs_one_process']}x with a session per worker; "
        f"targets {TARGET_DOCS_PER_S:,} docs/s, "
        f"{TARGET_SPEEDUP}x: {'met' if figures['target_met'] else 'NOT met'} on this machine now); "
        f"docs per CPU-second {figures['docs_per_cpu_s']}; a worker per idle core: "
        f"{figures['idle_estimate_docs_per_s']:,} docs/s, {figures['idle_estimate_speedup']}x"
    )


if __name__ == "__main__":
    raise SystemExit(main())
