"""Peak memory of the other stages that read a whole day, against the day's size (issue 20 item 3).

    .venv/bin/python -m bench.day_memory [--sizes 256,1024] [--quick]

Writes a clean_documents partition of about each size once (cached): `bench.clean_memory`'s generated prose
in the clean schema, as if every document had been kept (the clean stage is not run: a 1 GB day takes it an
hour here). Then measures, each in a fresh process with a sampler thread on its RSS:
- `decontamination`: the `contamination` asset's path: the day streamed as the IO manager streams an input
  (partition-pruned, bounded read-ahead) through `contamination_batches` (~1 MB text chunks against an
  n-gram index of the sample eval catalog), its rows into uncommitted fragments (`write_partition`), then
  committed as the IO manager commits them;
- `classifications`: `document_classifications`' path with the in-process classifier stack (less the
  quality model, which needs a trained quality_model) in 2,048-row batches: `write_summarized` streams the
  rows into fragments while `Summary` takes the metadata, then the commit;
- `mixture_pool`: `mixtures.build.pool_keys` over the staged pool: the token counts and priorities the
  plan holds (16 bytes a document), the doc ids scanned a batch at a time.
Prints peak RSS per size and the growth per 1,000 documents; flat means the stage does not hold the day.
"""

from __future__ import annotations

import argparse
import itertools
import json
import shutil
import subprocess
import sys
import threading
import time

import lance
import psutil
import pyarrow as pa
import pyarrow.compute as pc

from bench.common import data_dir, print_table, write_result

STAGES = ("decontamination", "classifications", "mixture_pool")


def lake(mb: int) -> str:
    """The clean_documents dataset holding one day of about `mb` MB of text (built once per size)."""
    from bench.clean_memory import DAY, _documents
    from platform_assets.processors.dedup.schemas import CLEAN_SCHEMA
    from resources import lance_datasets, lance_writes
    from resources.lance_schema import conform

    uri = lance_datasets.dataset_uri(str(data_dir("day_memory") / f"{mb}mb"), ["clean_documents"])
    ds = lance_datasets.open_dataset(uri)
    if ds is None or not ds.count_rows():

        def batches():
            for b in _documents(mb << 20):
                n = b.num_rows
                tokens = pc.cast(pc.divide(pc.binary_length(b.column("text")), 4), pa.int32())
                yield conform(pa.RecordBatch.from_arrays(
                    [*b.columns, tokens, pa.array(["en"] * n), pa.array([1.0] * n, pa.float32())],
                    names=[*b.schema.names, "token_count", "language", "language_score"]), CLEAN_SCHEMA)

        reader = pa.RecordBatchReader.from_batches(CLEAN_SCHEMA, batches())
        lance_writes.replace_partitions(uri, reader, ["day"], [(DAY,)])
    return uri


def _sampled(work) -> dict:
    peak, done = [0], threading.Event()

    def sample() -> None:
        me = psutil.Process()
        while not done.is_set():
            peak[0] = max(peak[0], me.memory_info().rss)
            time.sleep(0.02)

    threading.Thread(target=sample, daemon=True).start()
    before = psutil.Process().memory_info().rss
    start = time.perf_counter()
    extra = work()
    done.set()
    return {"rss_before_mb": before / 2**20, "peak_rss_mb": peak[0] / 2**20,
            "seconds": time.perf_counter() - start, **extra}


def _day(ds, columns: list[str] | None) -> pa.RecordBatchReader:
    """The day as the IO manager streams an input: partition-pruned, 4,096-row batches, bounded read-ahead."""
    from bench.clean_memory import DAY
    from resources import lance_scans

    selection = lance_scans.select_partitions(ds, ["day"], [(DAY,)])
    return lance_scans.scanner(ds, selection, columns, batch_size=4096, streaming=True).to_reader()


def _commit(uri: str, fragments) -> int:
    """The output committed as the IO manager commits an asset's Fragments; returns its rows."""
    from bench.clean_memory import DAY
    from resources import lance_writes

    return lance_writes.commit_fragments(uri, fragments, ["day"], (DAY,)).rows_written


def run(stage: str, uri: str) -> dict:
    """One stage over one clean_documents partition (its own process), writing its output next to it."""
    from bench.clean_memory import DAY
    from resources import lance_writes

    ds, out = lance.dataset(uri), uri.replace("clean_documents.lance", f"bench_{stage}.lance")
    shutil.rmtree(out, ignore_errors=True)
    if stage == "decontamination":
        from platform_assets import settings
        from platform_assets.eval_sets import catalog
        from platform_assets.eval_sets.contamination import CONTAMINATION_SCHEMA, Tally, contamination_batches
        from platform_assets.eval_sets.items import build_items
        from platform_assets.processors import decontam

        preset = decontam.PRESETS["lm_eval"]
        specs = catalog.load_catalog(settings.SPEC_DIR / catalog.FOLDER).values()
        items = [(r["eval_set"], r["item_id"], r["index_text"]) for s in specs
                 for r in build_items(s)[0].to_pylist()]
        index = decontam.NgramIndex.build(items, preset.n)

        def work() -> dict:
            tally = Tally()
            rows = contamination_batches(_day(ds, ["doc_id", "text"]), index, {}, preset, DAY, tally)
            written = lance_writes.write_partition(
                out, pa.RecordBatchReader.from_batches(CONTAMINATION_SCHEMA, rows), ["day"], (DAY,))
            return {"rows_written": _commit(out, written), "docs": tally.docs}
    elif stage == "classifications":
        from platform_assets import allocator
        from platform_assets.classifications.document_classifications import rebatch, write_summarized
        from platform_assets.processors.classifiers import registry, stack
        from platform_assets.processors.classifiers.summary import Summary

        names = [n for n in stack.DEFAULT_CLASSIFIERS if "model" not in registry.classifier_class(n).needs]
        allocator.install_streaming()  # as the document_classifications asset does

        def work() -> dict:
            scored = (stack.classify_on_worker(b, names, None)
                      for b in rebatch(_day(ds, ["doc_id", "day", "url", "text"]), 2048))
            first = next(scored)
            reader = pa.RecordBatchReader.from_batches(first.schema, itertools.chain([first], scored))
            summary = Summary(first.schema.names)
            rows = _commit(out, write_summarized(out, reader, DAY, summary))
            return {"rows_written": rows, "docs": summary.rows}
    else:
        from platform_assets.mixtures import build

        def work() -> dict:
            tokens, priority = build.pool_keys(ds, "bench", ValueError)
            return {"held_mb": (tokens.nbytes + priority.nbytes) / 2**20, "docs": len(tokens)}
    try:
        return _sampled(work)
    finally:
        shutil.rmtree(out, ignore_errors=True)


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(prog="bench.day_memory", description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="256,1024", help="MB of text per day, comma-separated")
    ap.add_argument("--quick", action="store_true", help="16 and 48 MB smoke runs")
    ap.add_argument("--run", nargs=2, help=argparse.SUPPRESS)  # internal: STAGE URI
    args = ap.parse_args(argv)
    if args.run:
        print(json.dumps(run(*args.run)))
        return {}
    sizes = ["16", "48"] if args.quick else args.sizes.split(",")
    figures: dict = {"units": "MB = MiB", "stages": {}}
    for stage in STAGES:
        for mb in sizes:
            uri = lake(int(mb))
            out = subprocess.run([sys.executable, "-m", "bench.day_memory", "--run", stage, uri],
                                 capture_output=True, text=True)
            if out.returncode:
                raise RuntimeError(f"{stage} at {mb} MB failed:\n{out.stderr[-3000:]}")
            figures["stages"].setdefault(stage, {})[mb] = json.loads(out.stdout.strip().splitlines()[-1])
        runs = list(figures["stages"][stage].values())
        docs = runs[-1]["docs"] - runs[0]["docs"]
        grow = (runs[-1]["peak_rss_mb"] - runs[0]["peak_rss_mb"]) / docs * 1000 if docs else 0.0
        figures["stages"][stage]["growth_mb_per_1000_docs"] = grow
        write_result("day_memory", figures)
    print_table(["stage", *(f"peak RSS at {mb} MB" for mb in sizes), "held at largest (MB)",
                 "growth MB / 1,000 docs"],
                [(s, *(v[mb]["peak_rss_mb"] for mb in sizes), float(v[sizes[-1]].get("held_mb", 0.0)),
                  v["growth_mb_per_1000_docs"]) for s, v in figures["stages"].items()],
                title="whole-day stages: peak RSS by day size")
    return figures


if __name__ == "__main__":
    main()
