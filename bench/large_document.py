"""One document near the size limit: the line reader's time per MB as lines grow, and the clean stage's
peak memory for a document of the default limit (sources.yaml `max_document_bytes`, 4 MiB).

The reader must be linear in the line's length: its milliseconds per MB for an 8 MB and a 64 MB line, next
to the baseline of the reader it replaced (which re-split a growing buffer: quadratic), timed in the same
rounds. The clean stage runs in its own process on one document of the limit's size (prose text, no
repetition, so it passes the chains up to the token cap); its peak RSS over the same process cleaning a
small document is reported as a ratio to the document's size.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import median_times, print_table, write_result
from platform_assets import settings
from platform_assets.processors.clean_config import FILTERS_FILE
from platform_assets.processors.sources import DEFAULT_MAX_DOCUMENT_BYTES

TARGET_MEMORY_RATIO = 40  # peak RSS growth / document bytes for a document at the limit


def _line_file(folder: Path, mb: int) -> Path:
    path = folder / f"line-{mb}mb.jsonl"
    if not path.exists():
        with open(path, "wb") as fh:
            fh.write(b'{"text": "')
            for _ in range(mb):
                fh.write(b"abcd " * ((1 << 20) // 5))
            fh.write(b'"}\n')
    return path


def _resplit_lines(path: Path):
    """The baseline: the reader before the fix, which split `rest + chunk` for every chunk."""
    from platform_assets.processors.ingest_files import _decoded_chunks

    rest = b""
    for chunk in _decoded_chunks(path, "jsonl"):
        parts = (rest + chunk).split(b"\n")
        rest = parts.pop()
        yield from parts


def reader_times(folder: Path, sizes: tuple[int, int]) -> dict[str, float]:
    from platform_assets.processors.ingest_files import read_file

    fns = {}
    for mb in sizes:
        path = _line_file(folder, mb)
        fns[f"reader_ms_per_mb_{mb}mb"] = lambda _r, p=path: sum(1 for _ in read_file(p))
        fns[f"baseline_ms_per_mb_{mb}mb"] = lambda _r, p=path: sum(1 for _ in _resplit_lines(p))
    times = median_times(fns, repeat=3)
    return {name: seconds * 1000 / int(name.rsplit("_", 1)[1].removesuffix("mb"))
            for name, seconds in times.items()}


def clean_peak(doc_bytes: int) -> dict:
    """The measured part (its own process): peak RSS of clean_batch on one prose document of doc_bytes."""
    import pyarrow as pa

    from platform_assets.cli.demo_data.prose import Prose
    from platform_assets.cli.demo_data.rng import derive
    from platform_assets.processors.pipeline import clean_batch, load_clean_config

    prose, parts, size = Prose(derive(3, "large-document")), [], 0
    while size < doc_bytes:
        parts.append(prose.article())
        size += len(parts[-1]) + 2
    text = "\n\n".join(parts)[:doc_bytes]
    config = load_clean_config(settings.spec_dir() / FILTERS_FILE)
    clean_batch(_batch(pa, "warm-up text of a few words."), config)  # tokenizer and models loaded
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS (Linux)
    before = _status_bytes("VmRSS")
    out = clean_batch(_batch(pa, text), config)
    after = _status_bytes("VmHWM")
    return {"doc_bytes": len(text.encode()), "rss_before_mb": before / 2**20, "rss_peak_mb": after / 2**20,
            "reason": (out.rejected.column("reason").to_pylist() or ["kept"])[0]}


def _status_bytes(field: str) -> int:
    line = next(x for x in Path("/proc/self/status").read_text().splitlines() if x.startswith(field + ":"))
    return int(line.split()[1]) * 1024


def _batch(pa, text: str):
    return pa.RecordBatch.from_pydict({
        "doc_id": ["d"], "source": ["s"], "source_id": ["1"], "text": [text], "url": [None], "meta": [None],
        "domain": ["prose"], "file": ["f"], "line": [1], "day": ["2026-01-01"]})


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(prog="bench.large_document", description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller lines")
    ap.add_argument("--run", type=int, help=argparse.SUPPRESS)  # internal: measure clean_batch
    args = ap.parse_args(argv)
    if args.run:
        print(json.dumps(clean_peak(args.run)))
        return {}
    sizes = (4, 16) if args.quick else (8, 64)
    with tempfile.TemporaryDirectory() as tmp:
        reader = reader_times(Path(tmp), sizes)
    cmd = [sys.executable, "-m", "bench.large_document", "--run", str(DEFAULT_MAX_DOCUMENT_BYTES)]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(f"the measured clean_batch failed:\n{out.stderr[-4000:]}")
    stage = json.loads(out.stdout.strip().splitlines()[-1])
    growth = (stage["rss_peak_mb"] - stage["rss_before_mb"]) * 2**20
    ratio = growth / stage["doc_bytes"]
    speedup = reader[f"baseline_ms_per_mb_{sizes[1]}mb"] / reader[f"reader_ms_per_mb_{sizes[1]}mb"]
    figures = {**reader, f"reader_speedup_over_baseline_{sizes[1]}mb": speedup, **stage,
               "peak_rss_growth_to_document": ratio,
               "target_peak_rss_growth_to_document": TARGET_MEMORY_RATIO,
               "target_met": ratio <= TARGET_MEMORY_RATIO, "units": "MB = MiB"}
    print_table(["figure", "value"], [
        *reader.items(), (f"reader speedup over baseline, {sizes[1]} MB line", speedup),
        ("document bytes", stage["doc_bytes"]), ("clean_batch peak RSS growth / document", ratio),
        ("outcome", stage["reason"]),
    ], title="one document near the size limit")
    write_result("large_document", figures)
    return figures


if __name__ == "__main__":
    main()
