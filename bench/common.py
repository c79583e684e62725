"""Shared bench helpers: where results and data go, noise-resistant timing, a small table printer.

Timings on shared machines are noisy (feasibility.md §2 saw single runs vary 10x), so methods are timed
in interleaved rounds after a warm-up round: every method sees the same noise, the page cache is warm,
and the median of the rounds is reported.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from platform_assets.settings import maslow_home


def bench_dir() -> Path:
    """`$MASLOW_HOME/bench`: one JSON result per bench."""
    return maslow_home() / "bench"


def data_dir(name: str) -> Path:
    """`$MASLOW_HOME/bench/data/<name>`, created; generated bench inputs (git-ignored)."""
    path = bench_dir() / "data" / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def cores() -> int:
    """CPU cores this process may run on (the affinity mask, which containers and taskset narrow)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def load_average() -> list[float]:
    """1, 5 and 15-minute load averages: on a shared machine, read timings next to these."""
    return [round(x, 2) for x in os.getloadavg()]


def write_result(name: str, figures: dict) -> Path:
    """Write `figures` plus cores, load average and a UTC timestamp to `$MASLOW_HOME/bench/<name>.json`."""
    path = bench_dir() / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    record = {"name": name, **figures, "cores": cores(), "load_average": load_average(), "timestamp": stamp}
    path.write_text(json.dumps(record, indent=2, default=str) + "\n")
    return path


def median_times(fns: Mapping[str, Callable[[int], Any]], repeat: int, warmup: int = 1,
                 cpu: dict[str, float] | None = None,
                 before: Callable[[str], Any] | None = None) -> dict[str, float]:
    """Median seconds per method, timed in interleaved rounds.

    Each round calls every method once, `fn(round_index)` with `round_index` in `range(warmup + repeat)`
    (so a method can pick that round's input, the same for every method); the order rotates per round so
    no method always runs right after another. The first `warmup` rounds are not timed. With `cpu`, it also
    gets each method's median process CPU seconds (all threads): the work done, which other processes on a
    shared machine change far less than the wall time. `before(name)`, when given, runs untimed before
    each call (to set up a cold cache, say).
    """
    names = list(fns)
    samples: dict[str, list[float]] = {n: [] for n in names}
    cpu_samples: dict[str, list[float]] = {n: [] for n in names}
    for r in range(warmup + repeat):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            if before is not None:
                before(name)
            start, start_cpu = time.perf_counter(), time.process_time()
            fns[name](r)
            elapsed, used = time.perf_counter() - start, time.process_time() - start_cpu
            if r >= warmup:
                samples[name].append(elapsed)
                cpu_samples[name].append(used)
    if cpu is not None:
        cpu.update({n: statistics.median(cpu_samples[n]) for n in names})
    return {n: statistics.median(samples[n]) for n in names}


def print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], title: str | None = None) -> None:
    """Print rows as an aligned plain-text table (numbers right-aligned, floats with 2 decimals)."""

    def cell(v: Any) -> str:
        return f"{v:,.2f}" if isinstance(v, float) else str(v)

    text = [[cell(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in text)) if text else len(h) for i, h in enumerate(headers)]
    numeric = [all(isinstance(row[i], int | float) for row in rows) for i in range(len(headers))]

    def line(values: Sequence[str]) -> str:
        cells = zip(values, widths, numeric, strict=True)
        return "  ".join(v.rjust(w) if num else v.ljust(w) for v, w, num in cells).rstrip()

    if title:
        print(f"\n{title}")
    print(line(list(headers)))
    print("  ".join("-" * w for w in widths))
    for row in text:
        print(line(row))
