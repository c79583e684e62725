"""Peak memory of the clean stage over one large daily partition, against the partition's size.

    .venv/bin/python -m bench.clean_memory [--mb 1024] [--quick] [--workers N]

A raw_documents partition of about `--mb` MB of text (English prose recombined from the demo generator's
paragraphs, with 2% exact and 2% near copies) is written to a Lance lake once (cached). The stage then runs
in a fresh subprocess exactly as the `clean_stage` asset does: a pushdown scan of the partition, the
process-pool executor, the scratch spool, dedup decisions, and the three outputs written through
`lance_writes.replace_partitions`. A sampler thread sums the RSS of that process and its workers every
0.05 s. The issue's target: peak RSS under 2 GB for a 1 GB partition.

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


def run_stage(root: str, workers: int) -> dict:
    """The measured part (its own process): the clean stage over the partition, as the asset runs it."""
    from platform_assets import settings
    from platform_assets.processors.clean_config import FILTERS_FILE
    from platform_assets.processors.dedup.stage import CleanStage, StageOptions
    from platform_assets.processors.pipeline import load_clean_config
    from resources import lance_datasets, lance_scans, lance_writes
    from resources.executor import LocalExecutor

    peak = {"tree": 0, "main": 0, "workers": 0}
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
            time.sleep(0.05)

    threading.Thread(target=sample, daemon=True).start()
    start = time.perf_counter()
    ds = lance.dataset(lance_datasets.dataset_uri(root, ["raw_documents"]))
    selection = lance_scans.select_partitions(ds, ["day"], [(DAY,)])
    config = load_clean_config(settings.spec_dir() / FILTERS_FILE)
    scratch = f"{root}/_scratch/bench/{DAY}"
    stage = CleanStage(LocalExecutor(workers=workers), config, StageOptions(day=DAY), scratch)
    try:
        stage.run(lance_scans.scanner(ds, selection).to_reader())
        for name, reader in stage.readers().items():
            uri = lance_datasets.dataset_uri(root, [name])
            lance_writes.replace_partitions(uri, reader, ["day"], [(DAY,)])
    finally:
        stage.close()
    done.set()
    seconds = time.perf_counter() - start
    return {**{f"peak_rss_{k}_mb": v / 2**20 for k, v in peak.items()}, "seconds": seconds,
            **stage.summary()}


def partition_size(root: Path) -> dict:
    ds = lance.dataset(str(root / "raw_documents.lance"))
    text = arrow = 0
    for batch in ds.to_batches():  # streamed: the parent stays small
        text, arrow = text + batch.column("text").nbytes, arrow + batch.nbytes
    disk = sum(f.stat().st_size for f in (root / "raw_documents.lance").rglob("*") if f.is_file())
    return {"rows": ds.count_rows(), "text_mb": text / 2**20, "arrow_mb": arrow / 2**20,
            "lance_disk_mb": disk / 2**20}


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(prog="bench.clean_memory", description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=int, default=1024, help="MB of text in the partition (default 1024)")
    ap.add_argument("--quick", action="store_true", help="a 32 MB smoke run")
    ap.add_argument("--workers", type=int, default=cores())
    ap.add_argument("--run", help=argparse.SUPPRESS)  # internal: measure the stage over this lake
    args = ap.parse_args(argv)
    if args.run:
        print(json.dumps(run_stage(args.run, args.workers)))
        return {}
    mb = 32 if args.quick else args.mb
    root = lake(mb)
    size = partition_size(root)
    out = subprocess.run([sys.executable, "-m", "bench.clean_memory", "--run", str(root), "--workers",
                          str(args.workers)], capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(f"the measured stage failed:\n{out.stderr[-4000:]}")
    stage = json.loads(out.stdout.strip().splitlines()[-1])
    figures = {**{f"partition_{k}": v for k, v in size.items()}, **stage, "workers": args.workers,
               "ratio_peak_rss_to_partition_text": stage["peak_rss_tree_mb"] / size["text_mb"],
               "target_peak_rss_mb_for_1gb": 2048, "units": "MB = MiB; seconds wall"}
    if mb >= 1024:
        figures["target_met"] = stage["peak_rss_tree_mb"] < 2048
    print_table(["figure", "value"], [
        ("partition rows", size["rows"]), ("partition text (MB)", size["text_mb"]),
        ("partition in Arrow (MB)", size["arrow_mb"]),
        ("partition on disk, Lance (MB)", size["lance_disk_mb"]),
        ("peak RSS, stage + workers (MB)", stage["peak_rss_tree_mb"]),
        ("peak RSS, stage process (MB)", stage["peak_rss_main_mb"]),
        ("peak RSS, workers together (MB)", stage["peak_rss_workers_mb"]),
        ("peak RSS / partition text", figures["ratio_peak_rss_to_partition_text"]),
        ("wall time (s)", stage["seconds"]), ("clean rows", stage["clean_rows"]),
        ("dedup rate", stage["dedup_rate"]),
    ], title=f"clean stage memory, {args.workers} workers")
    write_result("clean_memory", figures)
    return figures


if __name__ == "__main__":
    main()
