"""Mixture bench: materialize a ~1M-document mixture, then random-access it with the loader vs Parquet.

    .venv/bin/python -m bench.mixture [--quick] [--docs N]

1. Materialize: the `mixtures` asset (dg.materialize, DuckDB engine, Lance IO manager) over a stand-in
   `clean_documents` of N documents (~500 characters each, three domains), with exclusions on. It runs in a
   child process, so its peak RSS is its own: the kernel's VmHWM of the child, not getrusage's ru_maxrss,
   which Linux carries across fork + exec (under `python -m bench` the child started at the peak of the
   benches run before it). Figures: wall time, documents/s, tokens/s, peak RSS.
2. Random access: batches of 32 uniformly random samples of the written mixture, by the loader
   (`Mixture.take`: one Lance `take`) and by a Parquet random-row reader over the same rows (read the row
   groups that hold the batch, take the rows), with Parquet written twice: pyarrow defaults (1Mi-row
   groups) and 8Ki-row groups (tuned for random access). Headline ratio: Lance vs the faster Parquet.

Targets (`targets` in the result, each with `met`): the loader's random access at least 10x the faster
Parquet reader.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import queue as queues
import time
from pathlib import Path

import lance
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from bench.common import data_dir, median_times, print_table, write_result

DOMAINS = {"prose": 0.6, "code": 0.25, "math": 0.15}
DAY = "2026-01-01"  # the stand-in corpus is one day
BATCH = 32
RANDOM_ACCESS_TARGET = 10.0  # Lance `take` vs the faster Parquet reader, samples per second
MATERIALIZE_TIMEOUT_S = 3600
COLUMNS = ["sample_index", "doc_id", "component", "epoch", "text", "token_count"]


def make_lake(lake: Path, docs: int, seed: int = 0, chunk: int = 100_000) -> dict[str, int]:
    """Stand-in upstream tables; returns the tokens per domain."""
    rng = np.random.default_rng(seed)
    pool = "".join(rng.choice(list("abcdefghijklmnopqrstuvwxyz     "), 1 << 20))
    names = list(DOMAINS)
    tokens = dict.fromkeys(names, 0)

    def batches():
        for start in range(0, docs, chunk):
            n = min(chunk, docs - start)
            lengths = rng.integers(400, 600, n)
            offsets = rng.integers(0, len(pool) - 600, n)
            domain = rng.choice(names, n, p=list(DOMAINS.values()))
            counts = lengths // 4
            for d in names:
                tokens[d] += int(counts[domain == d].sum())
            yield pa.RecordBatch.from_pydict({
                "doc_id": [f"doc-{start + i:08d}" for i in range(n)], "day": [DAY] * n,
                "source": ["web"] * n, "domain": domain.tolist(), "language": ["en"] * n,
                "text": [pool[o:o + length] for o, length in zip(offsets, lengths, strict=True)],
                "token_count": counts.astype(np.int64),
            })

    schema = pa.schema([
        ("doc_id", pa.string()), ("day", pa.string()), ("source", pa.string()), ("domain", pa.string()),
        ("language", pa.string()), ("text", pa.string()), ("token_count", pa.int64())])
    lance.write_dataset(pa.RecordBatchReader.from_batches(schema, batches()), lake / "clean_documents.lance",
                        mode="overwrite")
    excluded = [f"doc-{i:08d}" for i in range(0, docs, 1000)]  # 0.1%: half contaminated, half held out
    lance.write_dataset(pa.table({"doc_id": excluded[::2], "day": [DAY] * len(excluded[::2]),
                                  "action": ["drop"] * len(excluded[::2])}), lake / "contamination.lance",
                        mode="overwrite")
    lance.write_dataset(pa.table({"doc_id": excluded[1::2], "day": [DAY] * len(excluded[1::2])}),
                        lake / "heldout_documents.lance", mode="overwrite")
    return tokens


def write_spec(folder: Path, tokens: dict[str, int]) -> int:
    """A spec taking about every document once: ratios = token shares, requested = all tokens."""
    total = sum(tokens.values())
    ratios = {d: round(t / total, 4) for d, t in tokens.items()}
    last = list(ratios)[-1]
    ratios[last] = round(1 - sum(r for d, r in ratios.items() if d != last), 4)
    parts = [f"""  - name: {d}
    sql: select doc_id, text, token_count from {{{{ ref('clean_documents') }}}} where domain = '{d}'
    target_ratio: {r}
    max_repetition_ratio: 1.1
""" for d, r in ratios.items()]
    requested = int(total * 0.995)
    (folder / "mixtures").mkdir(parents=True, exist_ok=True)
    (folder / "mixtures" / "bench.yaml").write_text(
        f"name: bench\ndescription: bench mixture\nseed: 1\nrequested_tokens: {requested}\ncomponents:\n"
        + "".join(parts))
    return requested


def _materialize(lake: str, specs: str, out) -> None:  # runs in a child process
    import os

    os.environ["MASLOW_SPECS"] = specs
    import dagster as dg

    from platform_assets.mixtures.mixtures import build_mixtures_asset
    from resources.duckdb_engine import DuckDBEngine
    from resources.lance_io_manager import LanceIOManager

    instance = dg.DagsterInstance.ephemeral()  # the stand-in day counts as scanned for contamination
    instance.report_runless_asset_event(dg.AssetMaterialization("contamination", partition=DAY))
    start = time.perf_counter()
    result = dg.materialize([build_mixtures_asset()], partition_key="bench", instance=instance,
                            resources={"sql_engine": DuckDBEngine(root_uri=lake),
                                       "lance_io_manager": LanceIOManager(root_uri=lake)})
    wall = time.perf_counter() - start
    meta = result.get_asset_materialization_events()[0].materialization.metadata
    out.put({"wall_s": wall, "peak_rss_mb": peak_rss_mb(),
             "samples": meta["mixture/samples"].value, "tokens": meta["mixture/achieved_tokens"].value})


def peak_rss_mb() -> float:
    """This process's own high-water RSS (Linux VmHWM, which starts afresh at exec), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status (the bench measures RSS on Linux only)")


def materialize(lake: Path, specs: Path, timeout_s: float = MATERIALIZE_TIMEOUT_S) -> dict:
    """Runs `_materialize` in a child; raises when it dies without a result or takes over `timeout_s`."""
    ctx = mp.get_context("spawn")  # Lance is not fork-safe; spawn also gives a clean RSS baseline
    queue = ctx.Queue()
    proc = ctx.Process(target=_materialize, args=(str(lake), str(specs), queue))
    proc.start()
    deadline = time.monotonic() + timeout_s
    try:
        while True:
            try:
                figures = queue.get(timeout=min(5.0, max(deadline - time.monotonic(), 0.01)))
                break
            except queues.Empty:
                if not proc.is_alive():
                    raise RuntimeError(f"the materialize child exited with code {proc.exitcode} "
                                       "without a result (its traceback is above)") from None
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the materialize child gave no result in {timeout_s:g} s") from None
        proc.join(timeout=60)
        if proc.exitcode != 0:
            raise RuntimeError(f"the materialize child exited with code {proc.exitcode}")
        return figures
    finally:
        if proc.is_alive():
            proc.terminate()
            proc.join()


def targets(access: dict[str, float]) -> dict[str, dict]:
    """Each target with its goal, measured value and whether it is met."""
    ratio = access["lance_take"] / max(access["parquet_default"], access["parquet_rg8k"])
    return {"random_access_vs_best_parquet": {
        "goal": f"lance_take / max(parquet) >= {RANDOM_ACCESS_TARGET:g}", "value": round(ratio, 1),
        "met": bool(ratio >= RANDOM_ACCESS_TARGET)}}


class ParquetRandomRows:
    """The baseline loader: random rows from Parquet by reading the row groups that hold them."""

    def __init__(self, path: Path):
        self.file = pq.ParquetFile(path)
        sizes = [self.file.metadata.row_group(i).num_rows for i in range(self.file.num_row_groups)]
        self.starts = np.cumsum([0, *sizes])

    def take(self, rows: np.ndarray) -> pa.Table:
        groups = np.searchsorted(self.starts, rows, "right") - 1
        parts, order = [], []
        for g in np.unique(groups):
            mask = groups == g
            table = self.file.read_row_group(int(g), columns=COLUMNS)
            parts.append(table.take(rows[mask] - self.starts[g]))
            order.append(np.flatnonzero(mask))
        restore = np.empty(len(rows), np.int64)
        restore[np.concatenate(order)] = np.arange(len(rows))
        return pa.concat_tables(parts).take(restore)


def random_access(lake: Path, out: Path, batches: int, repeat: int) -> dict:
    from platform_assets.mixtures.loader import Mixture

    mix = Mixture.open("bench", root_uri=str(lake), columns=COLUMNS)
    n = len(mix)
    table = mix.take(np.arange(n))  # sample_index order; the Parquet files hold the same rows
    pq.write_table(table, out / "default.parquet")
    pq.write_table(table, out / "rg8k.parquet", row_group_size=8192)
    del table
    readers = {"lance_take": mix, "parquet_default": ParquetRandomRows(out / "default.parquet"),
               "parquet_rg8k": ParquetRandomRows(out / "rg8k.parquet")}
    rng = np.random.default_rng(0)
    rounds = [[rng.integers(0, n, BATCH) for _ in range(batches)] for _ in range(repeat + 1)]
    for name, reader in readers.items():  # same rows from every reader
        probe = rounds[0][0]
        same = reader.take(probe).column("doc_id").equals(mix.take(probe).column("doc_id"))
        assert same, f"{name} returns other rows than the loader"

    # A slow reader gets fewer batches per round (about 2 s' worth), so the run stays bounded.
    counts = {}
    for name, reader in readers.items():
        start = time.perf_counter()
        reader.take(rounds[0][1])
        counts[name] = int(np.clip(2.0 / (time.perf_counter() - start), 3, batches))

    def run(name):
        return lambda r: [readers[name].take(idx) for idx in rounds[r][:counts[name]]]

    seconds = median_times({name: run(name) for name in readers}, repeat=repeat)
    return {name: counts[name] * BATCH / s for name, s in seconds.items()}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="bench.mixture", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20k documents, few batches (smoke run)")
    parser.add_argument("--docs", type=int, default=None, help="documents in the stand-in corpus (1M)")
    args = parser.parse_args(argv)
    docs = args.docs or (20_000 if args.quick else 1_000_000)
    base = data_dir("mixture")
    lake, specs = base / "lake", base / "specs"
    lake.mkdir(exist_ok=True)
    t0 = time.perf_counter()
    tokens = make_lake(lake, docs)
    took = time.perf_counter() - t0
    print(f"stand-in corpus: {docs:,} documents, {sum(tokens.values()):,} tokens in {took:.1f} s")
    write_spec(specs, tokens)
    mat = materialize(lake, specs)
    access = random_access(lake, base, batches=20 if args.quick else 100, repeat=3 if args.quick else 5)
    best_parquet = max(access["parquet_default"], access["parquet_rg8k"])
    figures = {
        "documents_in": docs, "samples_out": mat["samples"], "tokens_out": mat["tokens"],
        "materialize_wall_s": round(mat["wall_s"], 2),
        "materialize_docs_per_s": round(mat["samples"] / mat["wall_s"]),
        "materialize_tokens_per_s": round(mat["tokens"] / mat["wall_s"]),
        "materialize_peak_rss_mb": round(mat["peak_rss_mb"]),
        "random_access_samples_per_s": {k: round(v) for k, v in access.items()},
        "random_access_batch": BATCH,
        "ratio_lance_vs_best_parquet": round(access["lance_take"] / best_parquet, 1),
        "ratio_lance_vs_default_parquet": round(access["lance_take"] / access["parquet_default"], 1),
        "units": {"materialize_*_per_s": "per second, whole asset run incl. staging, shuffle and write",
                  "random_access_samples_per_s": "samples per second, batches of 32 uniformly random rows, "
                                                 "all 6 columns, median of rounds"},
        "targets": targets(access),
        "quick": args.quick,
    }
    print_table(["figure", "value"], [
        ["documents in / samples out", f"{docs:,} / {mat['samples']:,}"],
        ["materialize wall (s)", mat["wall_s"]],
        ["materialize documents/s", figures["materialize_docs_per_s"]],
        ["materialize peak RSS (MB)", figures["materialize_peak_rss_mb"]],
        *[[f"random access samples/s: {k}", round(v)] for k, v in access.items()],
        ["Lance / best Parquet", figures["ratio_lance_vs_best_parquet"]],
    ], title="mixture bench")
    print_table(["target", "goal", "value", "status"],
                [[k, t["goal"], t["value"], "MET" if t["met"] else "NOT MET"]
                 for k, t in figures["targets"].items()], title="targets")
    print(f"wrote {write_result('mixture', figures)}")
    return figures


if __name__ == "__main__":
    main()
