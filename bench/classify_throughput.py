"""Documents per second of the classifier stack (quality + domain + difficulty) on web-length text, run the
way `document_classifications` runs it.

`python -m bench.classify_throughput [--quick] [--docs N] [--workers W]`. Times, in interleaved rounds of
one run: the stack in one process (`stack.classify_on_worker` batch after batch, the asset's path for small
partitions), the stack on the `executor` resource (`LocalExecutor(workers=W).map_batches(classify_on_worker,
...)`, its path for big ones; the pool is started before the rounds and its start reported apart), and a
per-document Python quality scorer as the baseline. Targets: the pool at least 1.7x one process and at
least 5,000 docs/s on 2 cores. Batches hold 1,024 documents, so 10,000 documents make 5 tasks per worker.

Wall time on a shared machine measures the neighbours as much as the code (and with `sched_autogroup` a
busy machine gives this whole run one session's CPU share, pool included), so every round also reads CPU
time: this process's (getrusage: shipping batches, collecting results) and each worker's (psutil: unpickling,
scoring, pickling results). From those come CPU microseconds per document of the main process and of the
workers, docs per CPU-second of one process and of the pool's processes together (their quotient is the
pool's efficiency: 1.7x on 2 cores needs about 0.9), and `idle_estimate_docs_per_s`, the pool's rate had
each worker a core of its own (documents over the busiest worker's CPU seconds). The load average is read at
the start and the end. Where the time goes: the system part of that CPU (page faults: allocation churn),
each classifier's CPU per document inside the stack (each sees
the columns of those before it, as in the asset), handing a batch to a worker and its result back (as the
executor does it, through a shared-memory file, and pickled as a plain process pool would), the pool's
start, and (untimed, before each pool round) how much two busy cores slow each other on this machine at that
moment: a pure-Python loop and a memory-streaming loop, two at once against one alone (`PairCheck`). The
bench's process scores with the pool workers' allocator setting (`allocator.install_pool_worker`), so
neither side pays page-fault churn the other does not.
"""

from __future__ import annotations

import argparse
import pickle
import re
import resource
import statistics
import subprocess
import sys
import time
from collections import defaultdict

import numpy as np
import psutil
import pyarrow as pa
import xxhash

from bench.common import cores, load_average, median_times, print_table, write_result
from platform_assets import allocator, settings
from platform_assets.processors.classifiers import ngram_model, stack, synthetic_web
from platform_assets.processors.classifiers.quality_training import load_config, load_reference, train_quality
from resources.batch_spool import BatchSpool, remove
from resources.executor import LocalExecutor, compact

TARGET_DOCS_PER_S = 5000
TARGET_SPEEDUP = 1.7
BATCH_ROWS = 1024
ONE, NAIVE = "stack, 1 process", "naive quality (Python loop)"
MAIN = 0  # key of this process in the CPU readings; workers are keyed by pid


def train_model() -> ngram_model.NgramModel:
    config = load_config(settings.SPEC_DIR / "quality" / "quality_v1.yaml")
    docs = synthetic_web.documents(1500, seed=99, mean_chars=800)
    negatives = [
        t for t, d in zip(docs["text"].to_pylist(), docs["domain"].to_pylist(), strict=True) if d == "prose"
    ]
    return train_quality(load_reference(config, settings.SPEC_DIR / "quality"), negatives, config)


def cpu_now(children: list[psutil.Process] | None = None) -> dict[int, tuple[float, float]]:
    """(CPU seconds, of which system) so far of this process (all threads) and of each child process
    (default: all live ones; listing them scans every process on the machine, so rounds pass the pool's
    list), by pid. System time is where page faults show: allocation churn costs it, not the code."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    seen = {MAIN: (own.ru_utime + own.ru_stime, own.ru_stime)}
    for child in psutil.Process().children(recursive=True) if children is None else children:
        try:
            times = child.cpu_times()
        except psutil.Error:
            continue
        seen[child.pid] = (times.user + times.system, times.system)
    return seen


def cpu_spent(before: dict[int, tuple[float, float]], after: dict[int, tuple[float, float]]
              ) -> dict[int, tuple[float, float]]:
    return {k: (v[0] - before.get(k, (0.0, 0.0))[0], v[1] - before.get(k, (0.0, 0.0))[1])
            for k, v in after.items()}


class CpuRounds:
    """Per timed method, per round: CPU seconds of this process, of all workers, of the busiest worker, and
    the system part of the first two."""

    def __init__(self) -> None:
        self.rounds: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
        self.children: list[psutil.Process] = []

    def timed(self, name: str, fn):
        def run(_round: int) -> None:
            before = cpu_now(self.children)
            fn()
            spent = cpu_spent(before, cpu_now(self.children))
            workers = [v for k, v in spent.items() if k != MAIN] or [(0.0, 0.0)]
            self.rounds[name].append((spent[MAIN][0], sum(w[0] for w in workers), max(w[0] for w in workers),
                                      spent[MAIN][1], sum(w[1] for w in workers)))
        return run

    def median(self, name: str, which: int, skip: int = 1) -> float:
        """Median over the timed rounds (the warm-up round skipped) of main 0 | workers 1 | busiest 2 |
        main's system CPU 3 | workers' system CPU 4."""
        return statistics.median(r[which] for r in self.rounds[name][skip:])


def classifier_cpu(batches: list[pa.RecordBatch], classifiers: list) -> dict[str, float]:
    """CPU seconds of each classifier over `batches`, run as the stack runs them (columns chained)."""
    spent: dict[str, float] = defaultdict(float)
    for batch in batches:
        for clf in classifiers:
            start = time.process_time()
            out = clf.apply(batch)
            spent[clf.name] += time.process_time() - start
            for name, arr in out.items():
                batch = batch.append_column(name, arr)
    return dict(spent)


def shipping_us_per_doc(batch: pa.RecordBatch, result: pa.RecordBatch, repeat: int = 5) -> dict[str, float]:
    """CPU microseconds per document to hand a batch to a worker and its result back: as the executor does
    (a shared-memory file the worker maps, the result pickled) and as a plain pool would (both pickled)."""
    spool, per = BatchSpool(), repeat * batch.num_rows
    try:
        start = time.process_time()
        for _ in range(repeat):
            path = spool.write(batch)
            with pa.memory_map(path) as source:
                pa.ipc.open_stream(source).read_next_batch()
            remove(path)
            pickle.loads(pickle.dumps(result, protocol=4))
        spooled = time.process_time() - start
    finally:
        spool.close()
    start = time.process_time()
    for _ in range(repeat):
        pickle.loads(pickle.dumps(batch, protocol=4))  # a process pool's pickler: protocol 4
        pickle.loads(pickle.dumps(result, protocol=4))
    pickled = time.process_time() - start
    return {"spooled": round(spooled * 1e6 / per, 1), "pickled": round(pickled * 1e6 / per, 1)}


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


SPIN = """
import sys, time
kind = sys.argv[1]
if kind == "memory":
    import numpy as np
    data = np.ones(8 << 20)  # 64 MB: twice the L3 cache
print("ready", flush=True)
sys.stdin.readline()  # all start together, imports done
start, x = time.process_time(), 0
if kind == "memory":
    for _ in range(80):
        data.sum()
else:
    for i in range(1_500_000):
        x += i * i
print(time.process_time() - start)
"""


def spin_cpu_s(kind: str, procs: int) -> float:
    """Mean CPU seconds of a fixed loop run in `procs` fresh interpreters at once: "python" (the
    interpreter alone: no memory traffic) or "memory" (numpy summing 64 MB, 80 times: memory bandwidth).
    Without shared data the figure is the same alone and side by side unless the machine's cores slow each
    other: a VM's two vCPUs on one host core's SMT threads (python) or a memory bandwidth both share
    (memory). Subprocesses, not forks: this process has Lance's runtime threads."""
    running = [subprocess.Popen([sys.executable, "-c", SPIN, kind], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True) for _ in range(procs)]
    for p in running:
        p.stdout.readline()
    for p in running:
        p.stdin.write("go\n")
        p.stdin.flush()
    return statistics.mean(float(p.communicate()[0]) for p in running)


class PairCheck:
    """Before each pool round (untimed): each spin loop alone, then two at once; their quotient is that
    moment's cost of both cores being busy, which the pool pays and one process does not."""

    KINDS = ("python", "memory")

    def __init__(self) -> None:
        self.factors: dict[str, list[float]] = {k: [] for k in self.KINDS}

    def __call__(self, name: str) -> None:
        if name.startswith("stack, ") and not name.endswith("1 process"):
            for kind in self.KINDS:
                self.factors[kind].append(round(spin_cpu_s(kind, 2) / spin_cpu_s(kind, 1), 3))

    def summary(self) -> dict:
        """Per kind, the median factor and each timed round's (the warm-up round's left out)."""
        return {k: {"median": statistics.median(v[1:]) if v[1:] else None, "per_round": v[1:]}
                for k, v in self.factors.items()}


def autogroup() -> bool | None:
    """Whether CFS shares CPU between sessions rather than processes (None where the kernel does not say)."""
    try:
        return open("/proc/sys/kernel/sched_autogroup_enabled").read().strip() == "1"
    except OSError:
        return None


def start_pool(executor: LocalExecutor, batches: list[pa.RecordBatch], args: tuple) -> dict:
    """Starts the executor's workers on one small batch each: the wall time and each worker's CPU seconds
    (imports, building the stack, the first few documents) before the rounds."""
    before, start = cpu_now(), time.perf_counter()
    tiny = [b.slice(0, 8) for b in batches[: executor.worker_count()]]
    list(executor.map_batches(stack.classify_on_worker, tiny, *args))
    wall, spent = time.perf_counter() - start, cpu_spent(before, cpu_now())
    children = sorted(v[0] for k, v in spent.items() if k != MAIN)  # the workers, and the resource tracker
    return {"wall_s": round(wall, 2), "worker_cpu_s": [round(v, 2) for v in children[-len(tiny):]]}


def measure(batches, args: tuple, naive_docs, model, workers: int, repeat: int):
    cpu, pool_name = CpuRounds(), f"stack, {workers} processes"
    executor = LocalExecutor(workers=workers)
    try:
        started = start_pool(executor, batches, args)
        cpu.children = psutil.Process().children(recursive=True)
        fns = {
            ONE: cpu.timed(ONE, lambda: [stack.classify_on_worker(b, *args) for b in batches]),
            pool_name: cpu.timed(pool_name, lambda: list(
                executor.map_batches(stack.classify_on_worker, batches, *args))),
            NAIVE: cpu.timed(NAIVE, lambda: naive_quality(naive_docs, model)),
        }
        pair = PairCheck()
        return median_times(fns, repeat=repeat, warmup=1, before=pair), cpu, started, pair
    finally:
        executor.close()


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
    load_start = load_average()
    allocator.install_pool_worker()  # this process too: the one-process baseline pays no page-fault churn
    docs = synthetic_web.documents(n, seed=1, mean_chars=3000).select(["doc_id", "day", "text", "domain"])
    batches = [compact(b) for b in docs.to_batches(max_chunksize=BATCH_ROWS)]  # as the executor ships them
    mean_chars = float(np.mean([len(t) for t in docs["text"].to_pylist()]))
    model = train_model()
    task_args = (tuple(stack.DEFAULT_CLASSIFIERS), ngram_model.to_table(model, "quality_v1"))
    naive_docs = docs.slice(0, max(200, n // 20))["text"].to_pylist()
    load_before = load_average()
    secs, cpu, started, pair = measure(batches, task_args, naive_docs, model, args.workers, repeat)
    classifiers = stack.build_stack(stack.DEFAULT_CLASSIFIERS, model)
    per_classifier = classifier_cpu(batches, classifiers)
    shipping = shipping_us_per_doc(batches[0], stack.classify_batch(batches[0], classifiers))
    load_after = load_average()
    figures = summarize(secs, cpu, per_classifier, n, len(naive_docs), args.workers)
    figures.update(pool_start=started, shipping_cpu_us_per_doc=shipping,
                   cores_side_by_side=pair.summary())
    report(figures, secs, n, mean_chars, load_before, load_after)
    write_result("classify_throughput", {
        "docs": n, "batch_rows": BATCH_ROWS, "mean_chars": round(mean_chars), "workers": args.workers,
        "unit": "docs/s", "median_s": {k: round(v, 4) for k, v in secs.items()}, **figures,
        "load_average_at_start": load_start, "load_average_before": load_before,
        "load_average_after": load_after, "autogroup": autogroup(),
        "mb_per_s_all_cores": round(figures["stack_docs_per_s_all_cores"] * mean_chars / 1e6, 2),
        "measured_at": time.strftime("%Y-%m-%d"),
    })
    return 0


def summarize(secs, cpu: CpuRounds, per_classifier, n: int, naive_n: int, workers: int) -> dict:
    pool_name = f"stack, {workers} processes"
    rate = {k: (naive_n if k == NAIVE else n) / s for k, s in secs.items()}
    one_cpu = cpu.median(ONE, 0) + cpu.median(ONE, 1)
    pool_main, pool_workers = cpu.median(pool_name, 0), cpu.median(pool_name, 1)
    one_per_cpu_s, pool_per_cpu_s = n / one_cpu, n / (pool_main + pool_workers)
    idle_estimate = n / max(cpu.median(pool_name, 2), pool_main)
    speedup = rate[pool_name] / rate[ONE]
    return {
        "docs_per_s": {k: round(v) for k, v in rate.items()},
        "stack_docs_per_s_all_cores": round(rate[pool_name]),
        "speedup_pool_vs_one_process": round(speedup, 2),
        "cpu_us_per_doc": {"one process": round(one_cpu * 1e6 / n, 1),
                           "pool, main process": round(pool_main * 1e6 / n, 1),
                           "pool, workers": round(pool_workers * 1e6 / n, 1)},
        "system_cpu_us_per_doc": {"one process": round(cpu.median(ONE, 3) * 1e6 / n, 1),
                                  "pool, workers": round(cpu.median(pool_name, 4) * 1e6 / n, 1)},
        "docs_per_cpu_s": {"one process": round(one_per_cpu_s), "pool": round(pool_per_cpu_s)},
        "pool_efficiency": round(pool_per_cpu_s / one_per_cpu_s, 3),
        "idle_estimate_docs_per_s": round(idle_estimate),
        "idle_estimate_speedup": round(idle_estimate / one_per_cpu_s, 2),
        "cpu_us_per_doc_by_classifier": {k: round(v * 1e6 / n, 1) for k, v in per_classifier.items()},
        "target_docs_per_s": TARGET_DOCS_PER_S, "target_speedup": TARGET_SPEEDUP,
        "target_met": rate[pool_name] >= TARGET_DOCS_PER_S and speedup >= TARGET_SPEEDUP,
        "idle_estimate_target_met": bool(idle_estimate >= TARGET_DOCS_PER_S
                                         and idle_estimate / one_per_cpu_s >= TARGET_SPEEDUP),
        "ratio_quality_vectorized_vs_naive": round(  # CPU time against CPU time
            n / per_classifier["quality_v1"] / (naive_n / cpu.median(NAIVE, 0)), 2
        ),
    }


def report(figures: dict, secs: dict, n: int, mean_chars: float, load_before, load_after) -> None:
    rates = figures["docs_per_s"]
    print_table(["method", "median s", "docs/s"], [[k, secs[k], rates[k]] for k in secs],
                title=f"{n:,} documents, mean {mean_chars:,.0f} chars, {cores()} cores, "
                f"load average {load_before[0]} -> {load_after[0]}")
    shipping = figures["shipping_cpu_us_per_doc"]
    system = figures["system_cpu_us_per_doc"]
    print_table(["where", "CPU us/doc"], [*figures["cpu_us_per_doc"].items(),
                                          ("of which system, one process", system["one process"]),
                                          ("of which system, pool workers", system["pool, workers"]),
                                          ("shipping a batch, spooled", shipping["spooled"]),
                                          ("shipping a batch, pickled", shipping["pickled"]),
                                          *figures["cpu_us_per_doc_by_classifier"].items()],
                title="where the time goes (CPU; the classifiers inside the stack, one process)")
    started, side = figures["pool_start"], figures["cores_side_by_side"]
    print(
        f"\npool start: {started['wall_s']} s, worker CPU {started['worker_cpu_s']} s"
        f"\nstack on all cores: {figures['stack_docs_per_s_all_cores']:,} docs/s, "
        f"{figures['speedup_pool_vs_one_process']}x one process (targets {TARGET_DOCS_PER_S:,} docs/s, "
        f"{TARGET_SPEEDUP}x: {'met' if figures['target_met'] else 'NOT met'} on this machine now); "
        f"docs per CPU-second {figures['docs_per_cpu_s']}, pool efficiency {figures['pool_efficiency']}; "
        f"a worker per idle core: {figures['idle_estimate_docs_per_s']:,} docs/s, "
        f"{figures['idle_estimate_speedup']}x"
        f"\ncores side by side (CPU of two at once over one alone; 1.0: no slowdown): a pure-Python loop "
        f"{side['python']['median']}x, streaming memory {side['memory']['median']}x "
        f"(per pool round {side['python']['per_round']}, {side['memory']['per_round']})"
    )


if __name__ == "__main__":
    raise SystemExit(main())
