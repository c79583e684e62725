"""Peak memory of the clean stage over large daily partitions of several sizes, against the memory budget.

    .venv/bin/python -m bench.clean_memory [--sizes 256,1024,4096] [--quick] [--workers N] [--budget-mb 1536]

For each size a raw_documents partition of about that many MB of text (English prose recombined from the
demo generator's paragraphs, with 2% exact and 2% near copies) is written to a Lance lake once (cached). The
stage then runs in a fresh subprocess exactly as the `clean_stage` asset does: a streaming pushdown scan of
the partition (the IO manager's), the process-pool executor capped by the budget (`dedup/budget.py`), the
scratch spool, keys spilled to sorted runs, dedup decisions, and the three outputs written through
`lance_writes.replace_partitions`. A sampler thread sums the RSS of that process and its workers every
0.05 s; the stage process's RSS is also recorded after each step (imports, pass 1, decisions, writes).
Targets (issue 20): every peak under the budget; growth under 100 MB per GB of text (largest vs smallest).
The result is written after each size, so a long run keeps what it measured.

`getrusage`'s ru_maxrss is not reported: Linux carries the high-water mark across fork + exec, so a child's
figure starts at its parent's peak (a 1.5 GB parent gives a fresh `python -c` child 1.5 GB), which says
nothing about the stage.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import lance
import psutil
import pyarrow as pa

from bench.common import cores, data_dir, print_table, write_result
from platform_assets.processors.dedup.budget import DEFAULT_BUDGET_MB

DAY = "2026-01-01"
BATCH = 2048


def _documents(target_bytes: int, seed: int = 0):
    """Batches of raw_documents rows: a title and 3-12 paragraphs drawn from a pool of demo paragraphs."""
    import numpy as np

    from platform_assets.cli.demo_data.prose import Prose
    from platform_assets.cli.demo_data.rng import derive
    from platform_assets.cli.demo_data.similarity import edited

    prose, rng = Prose(derive(seed, "bench-clean-memory")), np.random.default_rng(seed)
    paragraphs = [p for _ in range(6000) for p in prose.article().split("\n\n")[1:]]
    size, i, recent = 0, 0, []
    while size < target_bytes:
        texts = []
        for _ in range(BATCH):
            r = rng.random()
            if r < 0.02 and recent:
                texts.append(recent[int(rng.integers(len(recent)))])  # exact copy
            elif r < 0.04 and recent:
                source = recent[int(rng.integers(len(recent)))]
                texts.append(edited(derive(seed, i, len(texts)), source, 0.02))  # near copy
            else:
                picks = rng.choice(len(paragraphs), int(rng.integers(3, 13)), replace=False)
                texts.append(prose.title(prose.topic()) + "\n\n" + "\n\n".join(paragraphs[k] for k in picks))
        recent = texts[-200:]
        ids = [f"d{i + k:09d}" for k in range(BATCH)]
        size += sum(len(t) for t in texts)
        i += BATCH
        yield pa.record_batch({
            "doc_id": ids, "source": ["web"] * BATCH, "source_id": ids, "text": texts, "url": [None] * BATCH,
            "meta": [None] * BATCH, "domain": ["prose"] * BATCH, "file": ["bench.jsonl"] * BATCH,
            "line": list(range(BATCH)), "day": [DAY] * BATCH,
        }, schema=_RAW)


_RAW = pa.schema([("doc_id", pa.string()), ("source", pa.string()), ("source_id", pa.string()),
                  ("text", pa.string()), ("url", pa.string()), ("meta", pa.string()), ("domain", pa.string()),
                  ("file", pa.string()), ("line", pa.int64()), ("day", pa.string())])


def lake(mb: int) -> Path:
    """A lake holding raw_documents with one partition of about `mb` MB of text (built once per size)."""
    from resources import lance_datasets, lance_writes

    root = data_dir("clean_memory") / f"{mb}mb"
    uri = lance_datasets.dataset_uri(str(root), ["raw_documents"])
    if lance_datasets.open_dataset(uri) is None:
        reader = pa.RecordBatchReader.from_batches(_RAW, _documents(mb << 20))
        lance_writes.replace_partitions(uri, reader, ["day"], [(DAY,)])
    return root


def run_stage(root: str, workers: int, budget_mb: int) -> dict:
    """The measured part (its own process): the clean stage over the partition, as the asset runs it."""
    steps = {"imports": _rss()}
    from platform_assets import allocator, settings
    from platform_assets.processors.clean_config import FILTERS_FILE
    from platform_assets.processors.dedup.budget import MemoryBudget
    from platform_assets.processors.dedup.stage import CleanStage, StageOptions
    from platform_assets.processors.pipeline import load_clean_config
    from resources import lance_datasets, lance_scans, lance_writes
    from resources.executor import LocalExecutor

    steps["imports"] = _rss()
    allocator.install_streaming()  # as the clean_stage asset does
    peak = {"tree": 0, "main": 0, "workers": 0}
    phase, phase_peak = ["decided"], {}  # the stage process's peak within each step, named by its end
    done = threading.Event()

    def sample() -> None:
        me = psutil.Process()
        while not done.is_set():
            try:
                kids = [c.memory_info().rss for c in me.children(recursive=True)]
            except psutil.Error:
                kids = []
            main = me.memory_info().rss
            peak.update(tree=max(peak["tree"], main + sum(kids)), main=max(peak["main"], main),
                        workers=max(peak["workers"], sum(kids)))
            phase_peak[phase[0]] = max(phase_peak.get(phase[0], 0), main)
            time.sleep(0.05)

    threading.Thread(target=sample, daemon=True).start()
    start = time.perf_counter()
    ds = lance.dataset(lance_datasets.dataset_uri(root, ["raw_documents"]))
    selection = lance_scans.select_partitions(ds, ["day"], [(DAY,)])
    config = load_clean_config(settings.spec_dir() / FILTERS_FILE)
    scratch = f"{root}/_scratch/bench/{DAY}"
    budget = MemoryBudget(total_mb=budget_mb)
    workers = budget.workers(workers)
    stage = CleanStage(LocalExecutor(workers=workers), config,
                       StageOptions(day=DAY, spill_bytes=budget.spill_bytes()), scratch)
    try:
        reader = lance_scans.scanner(ds, selection, batch_size=4096, streaming=True).to_reader()
        stage.run(reader)
        steps["decided"] = _rss()
        for name, reader in stage.readers().items():
            phase[0] = f"wrote_{name}"
            uri = lance_datasets.dataset_uri(root, [name])
            lance_writes.replace_partitions(uri, reader, ["day"], [(DAY,)])
            steps[f"wrote_{name}"] = _rss()
        steps["arrow_pool_peak"] = pa.default_memory_pool().max_memory() / 2**20
        spilled = {"runs": sum(len(r) for r in stage.runs.runs.values()), "key_rows": stage.runs.rows,
                   "decided_rows": len(stage.decisions.rows)}
    finally:
        stage.close()
    done.set()
    seconds = time.perf_counter() - start
    return {**{f"peak_rss_{k}_mb": v / 2**20 for k, v in peak.items()}, "seconds": seconds,
            "workers": workers, **{f"stage_rss_after_{k}_mb": v for k, v in steps.items()},
            **{f"stage_peak_to_{k}_mb": v / 2**20 for k, v in phase_peak.items()},
            **{f"dedup_{k}": v for k, v in spilled.items()}, **stage.summary()}


def _rss() -> float:
    return psutil.Process().memory_info().rss / 2**20


def partition_size(root: Path) -> dict:
    ds = lance.dataset(str(root / "raw_documents.lance"))
    text = arrow = 0
    for batch in ds.to_batches():  # streamed: the parent stays small
        text, arrow = text + batch.column("text").nbytes, arrow + batch.nbytes
    disk = sum(f.stat().st_size for f in (root / "raw_documents.lance").rglob("*") if f.is_file())
    return {"rows": ds.count_rows(), "text_mb": text / 2**20, "arrow_mb": arrow / 2**20,
            "lance_disk_mb": disk / 2**20}


def measure(mb: int, workers: int, budget_mb: int) -> dict:
    """One size: the lake (built once), then the stage in a fresh process."""
    root = lake(mb)
    size = partition_size(root)
    out = subprocess.run([sys.executable, "-m", "bench.clean_memory", "--run", str(root), "--workers",
                          str(workers), "--budget-mb", str(budget_mb)], capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(f"the measured stage failed:\n{out.stderr[-4000:]}")
    stage = json.loads(out.stdout.strip().splitlines()[-1])
    return {**{f"partition_{k}": v for k, v in size.items()}, **stage}


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(prog="bench.clean_memory", description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="256,1024,4096", help="MB of text per partition, comma-separated")
    ap.add_argument("--quick", action="store_true", help="16 and 48 MB smoke runs")
    ap.add_argument("--workers", type=int, default=cores(), help="wanted workers (the budget may cap them)")
    ap.add_argument("--budget-mb", type=int, default=DEFAULT_BUDGET_MB, help="stage + workers peak RSS cap")
    ap.add_argument("--run", help=argparse.SUPPRESS)  # internal: measure the stage over this lake
    args = ap.parse_args(argv)
    if args.run:
        print(json.dumps(run_stage(args.run, args.workers, args.budget_mb)))
        return {}
    sizes = [16, 48] if args.quick else [int(x) for x in args.sizes.split(",")]
    figures: dict = {"budget_mb": args.budget_mb, "units": "MB = MiB; seconds wall", "sizes": {}}
    for mb in sizes:
        figures["sizes"][str(mb)] = measure(mb, args.workers, args.budget_mb)
        figures.update(_verdict(figures["sizes"], args.budget_mb))
        write_result("clean_memory", figures)
    rows = [("partition text (MB)", "partition_text_mb"), ("partition rows", "partition_rows"),
            ("workers (within the budget)", "workers"),
            ("peak RSS, stage + workers (MB)", "peak_rss_tree_mb"),
            ("peak RSS, stage process (MB)", "peak_rss_main_mb"),
            ("peak RSS, workers together (MB)", "peak_rss_workers_mb"),
            ("stage RSS after imports (MB)", "stage_rss_after_imports_mb"),
            ("stage peak, pass 1 + dedup (MB)", "stage_peak_to_decided_mb"),
            ("stage peak, writing clean_documents (MB)", "stage_peak_to_wrote_clean_documents_mb"),
            ("stage peak, writing rejected (MB)", "stage_peak_to_wrote_rejected_documents_mb"),
            ("stage peak, writing near_dup_index (MB)", "stage_peak_to_wrote_near_dup_index_mb"),
            ("stage RSS after pass 1 + dedup (MB)", "stage_rss_after_decided_mb"),
            ("stage RSS after writing clean_documents (MB)", "stage_rss_after_wrote_clean_documents_mb"),
            ("stage RSS after writing rejected (MB)", "stage_rss_after_wrote_rejected_documents_mb"),
            ("stage RSS after writing near_dup_index (MB)", "stage_rss_after_wrote_near_dup_index_mb"),
            ("stage Arrow pool peak (MB)", "stage_rss_after_arrow_pool_peak_mb"),
            ("sorted runs spilled", "dedup_runs"), ("documents decided (colliding)", "dedup_decided_rows"),
            ("wall time (s)", "seconds"), ("clean rows", "clean_rows"), ("dedup rate", "dedup_rate")]
    print_table(["figure", *figures["sizes"]], [(label, *(m.get(key, "-") for m in figures["sizes"].values()))
                                                for label, key in rows],
                title=f"clean stage memory by partition size (MB of text), budget {args.budget_mb} MB")
    print(f"growth: {figures['growth_mb_per_gb']:.1f} MB per GB of text (target < 100); every peak under the "
          f"budget: {figures['under_budget']}")
    return figures


def _verdict(sizes: dict, budget_mb: int) -> dict:
    measured = list(sizes.values())
    small, large = measured[0], measured[-1]
    span_gb = (large["partition_text_mb"] - small["partition_text_mb"]) / 1024
    growth = (large["peak_rss_tree_mb"] - small["peak_rss_tree_mb"]) / span_gb if span_gb > 0 else 0.0
    under = all(m["peak_rss_tree_mb"] < budget_mb for m in measured)
    return {"growth_mb_per_gb": growth, "under_budget": under,
            "target_met": under and growth < 100 and len(measured) > 1}


if __name__ == "__main__":
    main()
