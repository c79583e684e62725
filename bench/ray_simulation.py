"""A day that does not fit a worker: the clean stage on a local Ray cluster whose workers are memory-capped.

    .venv/bin/python -m bench.ray_simulation [--mb 192] [--cap-mb 64] [--workers 4] [--quick]

A raw_documents partition of about `--mb` MB of text (bench.clean_memory's generator: English prose with 2%
exact and 2% near copies) is cleaned by `ClusterStage` on a local Ray cluster of `--workers` worker
processes (num_cpus = workers, whatever the cores). A watchdog thread samples every worker's private RSS
(anonymous memory: RSS less the shared pages, so objects a worker maps from Ray's object store, which is a
separate capped store that spills to disk, do not count twice) every 0.05 s; a worker whose private RSS
grows more than `--cap-mb` above the warmed-up baseline (interpreter, Arrow, Lance, the processors'
tables: what every worker holds before it sees data) is killed, and the run fails.
The day is at least 3x the cap, so no worker could hold it. The same partition is then cleaned by the local
executor in one process (uncapped) and the outcome counts must be identical. Results go to
`$MASLOW_HOME/bench/ray_simulation.json`. `tests/bench/test_ray_simulation.py` runs a small size in CI.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import lance
import psutil

from bench.clean_memory import DAY, lake
from bench.common import print_table, write_result

COUNTS = ("raw_rows", "clean_rows", "rejected_rows", "dropped/exact_duplicate", "dropped/near_duplicate",
          "tokens_kept")


def warm(batch, number: int, scratch: str) -> int:
    """Pass 1 on a real batch of the day (into a throwaway spool): loads what every clean task loads (the
    tokenizer, language tables, filters, Lance's runtime) before the watchdog takes the baseline."""
    from platform_assets import settings
    from platform_assets.processors.clean_config import FILTERS_FILE
    from platform_assets.processors.dedup.cluster_tasks import pass_one
    from platform_assets.processors.pipeline import load_clean_config

    pass_one(batch, number, load_clean_config(settings.spec_dir() / FILTERS_FILE), "fineweb", scratch, DAY, 2)
    time.sleep(1.0)  # hold this worker so the next warm-up goes to another one
    return os.getpid()


def private_rss(proc: psutil.Process) -> int:
    """Anonymous resident memory: RSS less the file-backed and shared pages (libraries, the object store)."""
    info = proc.memory_info()
    return info.rss - info.shared


class Watchdog:
    """Samples the private RSS of this process's Ray workers; kills one that grows past `cap` bytes above
    the warmed-up baseline (the largest of the warmed workers at `start`; a worker Ray starts later is
    measured against the same baseline, so its own loading counts against it)."""

    def __init__(self, cap: int):
        self.cap, self.base, self.peak, self.killed = cap, 0, {}, []
        self.driver_peak = 0
        self._stop = threading.Event()

    def workers(self) -> list[psutil.Process]:
        found = []
        for proc in psutil.Process().children(recursive=True):
            try:
                if proc.cmdline() and proc.cmdline()[0].startswith("ray::"):
                    found.append(proc)
            except psutil.Error:
                pass
        return found

    def sample(self) -> None:
        self.driver_peak = max(self.driver_peak, psutil.Process().memory_info().rss)
        for proc in self.workers():
            try:
                rss = private_rss(proc)
            except psutil.Error:
                continue
            self.peak[proc.pid] = max(self.peak.get(proc.pid, rss - self.base), rss - self.base)
            if rss - self.base > self.cap:
                self.killed.append((proc.pid, rss - self.base))
                os.kill(proc.pid, signal.SIGKILL)

    def start(self) -> None:
        for proc in self.workers():
            try:
                self.base = max(self.base, private_rss(proc))
            except psutil.Error:
                pass

        def loop() -> None:
            while not self._stop.is_set():
                self.sample()
                time.sleep(0.05)

        threading.Thread(target=loop, daemon=True).start()

    def stop(self) -> None:
        self._stop.set()


def _targets(root: str):
    from platform_assets.processors.dedup.cluster_tasks import Target
    from platform_assets.processors.dedup.schemas import OUTPUT_SCHEMAS
    from resources import lance_writes

    targets = {}
    for name, schema in OUTPUT_SCHEMAS.items():
        uri = f"{root}/{name}.lance"
        targets[name] = Target(uri, lance_writes.prepare(uri, schema), lance_writes.fragment_options())
    return targets


def run(root: str, workers: int, cap_mb: int, batch_rows: int, rows_per_bucket: int) -> dict:
    """The measured part, in its own process: the cluster, the watchdog, the stage, then the local run."""
    import ray

    from platform_assets import settings
    from platform_assets.processors.clean_config import FILTERS_FILE
    from platform_assets.processors.dedup.cluster_stage import ClusterStage
    from platform_assets.processors.dedup.stage import CleanStage, StageOptions
    from platform_assets.processors.pipeline import load_clean_config
    from resources import lance_writes
    from resources.executor import LocalExecutor, RayExecutor

    raw = lance.dataset(f"{root}/raw_documents.lance")
    rows = raw.count_rows()
    config = load_clean_config(settings.spec_dir() / FILTERS_FILE)
    options = StageOptions(day=DAY, batch_rows=batch_rows)
    with tempfile.TemporaryDirectory(prefix="ray") as tmp:
        ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False,
                 object_store_memory=128 << 20, _temp_dir=tmp)
        dog = Watchdog(cap_mb << 20)
        try:
            sample = next(raw.to_batches(batch_size=batch_rows))
            ray.get([ray.remote(warm).remote(sample, i, f"{tmp}/warm") for i in range(2 * workers)])
            dog.start()
            start = time.perf_counter()
            parts = max(workers, math.ceil(rows / rows_per_bucket))
            out = tempfile.mkdtemp(dir=root, prefix="out-")
            stage = ClusterStage(RayExecutor(), config, options, f"{out}/_scratch", _targets(out),
                                 parts=parts)
            try:
                stage.run(raw.to_batches(batch_size=4096))
            except Exception as e:
                if dog.killed:
                    raise RuntimeError(f"workers grew past {cap_mb} MB (pid, bytes): {dog.killed}") from e
                raise
            for name, target in stage.targets.items():
                lance_writes.commit_fragments(target.uri, lance_writes.Fragments(stage.fragments[name]),
                                              ["day"], (DAY,))
            seconds = time.perf_counter() - start
            stage.close()
        finally:
            dog.stop()
            ray.shutdown()
    local = CleanStage(LocalExecutor(workers=0), config, options, f"{root}/_scratch_local")
    local.run(raw.to_batches(batch_size=4096))
    for _ in local.clean_batches():
        pass
    local.close()
    return {"rows": rows, "workers": workers, "cap_mb": cap_mb, "buckets": parts,
            "star_rounds": stage.rounds, "seconds": seconds, "killed": dog.killed,
            "worker_processes": len(dog.peak), "worker_peak_growth_mb": max(dog.peak.values()) / 2**20,
            "worker_growth_mb": sorted(round(v / 2**20, 1) for v in dog.peak.values()),
            "worker_baseline_mb": dog.base / 2**20,
            "driver_peak_rss_mb": dog.driver_peak / 2**20, "ray": stage.summary(), "local": local.summary()}


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(prog="bench.ray_simulation", description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=int, default=192, help="MB of text in the day (default 192)")
    ap.add_argument("--cap-mb", type=int, default=64, help="per-worker private RSS growth cap (default 64)")
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--batch-rows", type=int, default=256, help="raw rows per pass-1 task")
    ap.add_argument("--rows-per-bucket", type=int, default=5_000, help="documents per shuffle bucket")
    ap.add_argument("--quick", action="store_true",
                    help="the CI size: 12 MB under a 48 MB cap (the machinery, not the 3x day)")
    ap.add_argument("--run", help=argparse.SUPPRESS)  # internal: measure over this lake
    args = ap.parse_args(argv)
    if args.quick:
        args.mb, args.batch_rows, args.rows_per_bucket = 12, 64, 1000
    if args.run:
        print(json.dumps(run(args.run, args.workers, args.cap_mb, args.batch_rows, args.rows_per_bucket)))
        return {}
    if args.mb < 3 * args.cap_mb and not args.quick:
        raise SystemExit(f"--mb {args.mb} must be at least 3x --cap-mb {args.cap_mb}")
    root = lake(args.mb)
    out = subprocess.run([sys.executable, "-m", "bench.ray_simulation", "--run", str(root),
                          "--workers", str(args.workers), "--cap-mb", str(args.cap_mb),
                          "--batch-rows", str(args.batch_rows),
                          "--rows-per-bucket", str(args.rows_per_bucket)], capture_output=True, text=True,
                         env={k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"})  # its own cluster
    if out.returncode:
        raise RuntimeError(f"the simulation failed:\n{out.stderr[-4000:]}")
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    figures["day_text_mb"] = _text_mb(root)
    figures["same_counts"] = all(figures["ray"].get(k) == figures["local"].get(k) for k in COUNTS)
    figures["same_summary"] = figures["ray"] == figures["local"]
    print_table(["figure", "value"], [
        ("day text (MB)", figures["day_text_mb"]), ("documents", figures["rows"]),
        ("workers x cap above baseline (MB)", f"{args.workers} x {args.cap_mb}"),
        ("worker baseline RSS (MB)", figures["worker_baseline_mb"]),
        ("largest worker growth (MB)", figures["worker_peak_growth_mb"]),
        ("driver peak RSS (MB)", figures["driver_peak_rss_mb"]), ("workers killed", len(figures["killed"])),
        ("shuffle buckets / star rounds", f"{figures['buckets']} / {figures['star_rounds']}"),
        ("Ray stage wall time (s)", figures["seconds"]), ("same summary as local", figures["same_summary"]),
    ], title="clean stage on capped Ray workers")
    write_result("ray_simulation", figures)
    return figures


def _text_mb(root: Path) -> float:
    ds = lance.dataset(str(root / "raw_documents.lance"))
    return sum(b.column("text").nbytes for b in ds.to_batches(columns=["text"])) / 2**20


if __name__ == "__main__":
    main()
