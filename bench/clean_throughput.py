"""Clean-stage throughput against HuggingFace datatrove 0.10.1, on the same demo data and the same cores.

    .venv/bin/python -m bench.clean_throughput [--mb 200] [--quick] [--workers N] [--sample 4000] [--dedup 0]

Input: demo documents from `platform_assets.cli.demo_data` (web/code/math/dialog/crawl pages, low-quality
pages built to trip each rule, French/German/Spanish articles, PII carriers), written once as Parquet
shards. Each side runs in its own subprocess (so peak RSS is its own) with N worker processes:
- ours: `clean_batch` (normalize, CLD2 language ID, domain chains, PII, o200k token counts) per 1,000-row
  batch, plus the per-document dedup work (exact keys + MinHash-LSH band keys, preset fineweb) from
  `processors/dedup` (`--dedup 0`: filters only, on both sides);
- datatrove: FTFY, the same CLD2 language rule (a LambdaFilter), Gopher repetition, Gopher quality, C4
  (terminal-punctuation rule off, as FineWeb), FineWeb quality, PII formatter, and MinHash signatures
  (5-grams, 14 x 8, sha1 as FineWeb ran it: 0.10.1's xxhash path fails with xxhash 4). datatrove has no
  per-domain chains (prose rules judge every document) and no token counter that works offline (ours
  counts tokens: more work on our side).
Cross-batch clustering (union of LSH buckets) is outside both measurements. Wall-clock and CPU seconds are
both reported: on a shared machine the CPU figure is the steadier one.
Agreement: on a sample, each of the four peer filters is run by both implementations on the same
normalized texts, and their keep/drop decisions compared.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import psutil
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from bench.common import cores, data_dir, print_table, write_result
from platform_assets import settings
from platform_assets.processors.clean_config import FILTERS_FILE

# ours -> (datatrove class name, kwargs): the prose chain's filters as filters.yaml sets them
PEER_FILTERS = {
    "gopher_repetition_v1": ("GopherRepetitionFilter", {}),
    "gopher_quality_v1": ("GopherQualityFilter", {}),
    "c4_quality_v1": ("C4QualityFilter", {"filter_no_terminal_punct": False}),
    "fineweb_quality_v1": ("FineWebQualityFilter", {}),
}
SHARDS_PER_WORKER = 4


def corpus(mb: int, workers: int, seed: int = 0) -> list[Path]:
    """Parquet shards of raw_documents-shaped rows, about `mb` MB of text in all (cached per size)."""
    folder = data_dir("clean_throughput") / f"{mb}mb-{workers * SHARDS_PER_WORKER}shards-s{seed}"
    shards = sorted(folder.glob("*.parquet"))
    if len(shards) == workers * SHARDS_PER_WORKER:
        return shards
    folder.mkdir(parents=True, exist_ok=True)
    rows = _demo_rows(mb << 20, seed)
    table = pa.Table.from_pylist(rows)
    n = workers * SHARDS_PER_WORKER
    step = -(-table.num_rows // n)
    for i in range(n):
        pq.write_table(table.slice(i * step, step), folder / f"part-{i:03d}.parquet")
    return sorted(folder.glob("*.parquet"))


def _demo_rows(target_bytes: int, seed: int) -> list[dict]:
    from platform_assets.cli.demo_data import foreign, lowquality, pii, sources
    from platform_assets.cli.demo_data.prose import Prose
    from platform_assets.cli.demo_data.rng import FastRandom

    rng = FastRandom(f"bench-clean:{seed}")
    prose, rows, size = Prose(rng), [], 0
    weights = [s.share for s in sources.SOURCES]
    defects, langs, kinds = list(lowquality.DEFECTS), list(foreign.LANGUAGES), list(pii.VALUES)
    while size < target_bytes:
        r = rng.random()
        if r < 0.75:
            src = rng.choices(sources.SOURCES, weights)[0]
            text, _, url, _ = src.make(rng, prose)
            name, dom = src.name, src.domain
        elif r < 0.87:
            text, url, name, dom = lowquality.DEFECTS[rng.choice(defects)][0](rng, prose), None, "crawl", None
        elif r < 0.94:
            text, url, name, dom = foreign.article(rng, rng.choice(langs)), None, "crawl", None
        else:
            text, url, name, dom = (
                prose.article() + "\n\n" + pii.carrier(rng, rng.choice(kinds))[1],
                None,
                "web",
                "prose",
            )
        i = len(rows)
        rows.append(
            {
                "doc_id": f"d{i:08d}",
                "source": name,
                "source_id": str(i),
                "text": text,
                "url": url,
                "meta": None,
                "domain": dom,
                "file": "bench",
                "line": i,
                "day": "2026-01-01",
            }
        )
        size += len(text.encode())
    return rows


# --- our side ------------------------------------------------------------------------------------------


def _ours_shard(path: str, with_dedup: bool) -> tuple[int, int]:
    from platform_assets.processors.pipeline import clean_batch, load_clean_config

    config = load_clean_config(settings.spec_dir() / FILTERS_FILE)
    dedup, docs, kept = _dedup_fn() if with_dedup else None, 0, 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=1000):
        result = clean_batch(batch, config)
        if dedup is not None:
            dedup(result.kept.column("text"))
        docs, kept = docs + batch.num_rows, kept + result.kept.num_rows
    return docs, kept


def _dedup_fn():
    try:
        from platform_assets.processors.dedup.exact import exact_hashes
        from platform_assets.processors.dedup.minhash import document_bands
        from platform_assets.processors.dedup.presets import get_preset
    except ImportError:
        return None
    preset = get_preset("fineweb")
    return lambda texts: (exact_hashes(texts), document_bands(texts, preset))


def run_ours(paths: list[str], workers: int, dedup: bool = True) -> dict:
    dedup = dedup and _dedup_fn() is not None
    monitor, start = _Monitor(), time.perf_counter()
    monitor.start()
    with ProcessPoolExecutor(workers) as pool:
        results = list(pool.map(_ours_shard, paths, [dedup] * len(paths)))
    wall = time.perf_counter() - start
    return {
        "docs": sum(r[0] for r in results),
        "kept": sum(r[1] for r in results),
        "seconds": wall,
        **monitor.figures(),
        "dedup": dedup,
    }


class _Monitor(threading.Thread):
    """Samples this process tree every 0.1 s: the last CPU time seen per process (summed) and the largest
    RSS of any one process. getrusage misses datatrove's pool workers (never waited for), so both sides
    use this."""

    def __init__(self):
        super().__init__(daemon=True)
        self.cpu: dict[int, float] = {}
        self.peak, self.peak_total, self.stop = 0, 0, threading.Event()

    def run(self) -> None:
        me = psutil.Process()
        while not self.stop.wait(0.1):
            total = 0
            for proc in [me, *me.children(recursive=True)]:
                try:
                    times, rss = proc.cpu_times(), proc.memory_info().rss
                except psutil.Error:
                    continue
                self.cpu[proc.pid] = times.user + times.system
                self.peak, total = max(self.peak, rss), total + rss
            self.peak_total = max(self.peak_total, total)

    def figures(self) -> dict:
        self.stop.set()
        self.join()
        # not getrusage's ru_maxrss: Linux carries it across fork and exec, so a side would report the
        # driver's peak (generating the corpus) instead of its own
        return {
            "cpu_seconds": sum(self.cpu.values()),
            "peak_rss_mb": self.peak / 2**20,
            "peak_rss_all_processes_mb": self.peak_total / 2**20,
        }


# --- datatrove side ------------------------------------------------------------------------------------


def run_datatrove(paths: list[str], workers: int, dedup: bool) -> dict:
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline import filters
    from datatrove.pipeline.dedup import MinhashConfig, MinhashDedupSignature
    from datatrove.pipeline.formatters import FTFYFormatter, PIIFormatter
    from datatrove.pipeline.readers import ParquetReader
    from datatrove.utils.hashing import HashConfig

    from platform_assets.processors.language import detect_languages

    def english(doc) -> bool:
        code, score = detect_languages([doc.text])
        return code[0] == "en" and score[0] >= 0.65

    with tempfile.TemporaryDirectory() as tmp:
        steps = [
            ParquetReader(str(Path(paths[0]).parent), glob_pattern="*.parquet", id_key="doc_id"),
            FTFYFormatter(),
            filters.LambdaFilter(english),
        ]
        steps += [getattr(filters, cls)(**kw) for cls, kw in PEER_FILTERS.values()]
        steps.append(PIIFormatter())
        if dedup:
            # sha1, as FineWeb ran it: datatrove 0.10.1's xxhash path passes str to xxhash 4, which raises
            minhash = MinhashConfig(hash_config=HashConfig(precision=64, hash_fc="sha1"))
            steps.append(MinhashDedupSignature(output_folder=f"{tmp}/sigs", config=minhash))
        executor = LocalPipelineExecutor(steps, tasks=len(paths), workers=workers, logging_dir=f"{tmp}/logs")
        monitor, start = _Monitor(), time.perf_counter()
        monitor.start()
        stats = executor.run()
        wall = time.perf_counter() - start
    return {
        "docs": sum(pq.ParquetFile(p).metadata.num_rows for p in paths),
        "kept": _forwarded(stats),
        "seconds": wall,
        **monitor.figures(),
    }


def _forwarded(stats) -> int | None:
    """Documents the last filter passed on, from datatrove's merged stats (None if its layout differs)."""
    try:
        return int(next(s for s in reversed(stats.stats) if "Quality" in s.name).stats["forwarded"].total)
    except (AttributeError, KeyError, StopIteration, TypeError):
        return None


# --- agreement -----------------------------------------------------------------------------------------


def agreement(paths: list[Path], sample: int) -> list[dict]:
    """Per peer filter: share of sampled documents on which both implementations keep or both drop.

    Over all sampled documents, and over those our chains route to prose (the source's domain, else the
    detected one): in the clean stage these filters judge prose only.
    """
    from datatrove.data import Document
    from datatrove.pipeline import filters

    from platform_assets.processors import registry
    from platform_assets.processors.domain import detect_domains
    from platform_assets.processors.features import TextBatch
    from platform_assets.processors.normalize import normalize_texts

    per_file = -(-sample // len(paths))
    table = pa.concat_tables([pq.read_table(p, columns=["text", "domain"]).slice(0, per_file) for p in paths])
    texts = normalize_texts(table.column("text").combine_chunks())
    keep = pc.greater(pc.utf8_length(texts), 0)
    texts, given = texts.filter(keep), table.column("domain").combine_chunks().filter(keep)
    detected = detect_domains(TextBatch(texts))
    prose = (
        np.where(
            given.is_valid().to_numpy(zero_copy_only=False),
            given.fill_null("").to_numpy(zero_copy_only=False),
            detected,
        )
        == "prose"
    )
    out = []
    for ours_name, (cls, kwargs) in PEER_FILTERS.items():
        ours = registry.build(ours_name, kwargs).judge(TextBatch(texts)).reasons
        theirs_filter = getattr(filters, cls)(**kwargs)
        theirs = np.array(
            [_dt_reason(theirs_filter, Document(text=t, id=str(i))) for i, t in enumerate(texts.to_pylist())],
            dtype=object,
        )
        same = (ours == None) == (theirs == None)  # noqa: E711
        causes = Counter(
            f"ours={a or 'keep'} / datatrove={b or 'keep'} ({'prose' if p else 'not prose'})"
            for a, b, p, s in zip(ours, theirs, prose, same, strict=True)
            if not s
        )
        out.append(
            {
                "filter": ours_name,
                "docs": len(theirs),
                "agreement": float(same.mean()),
                "prose_docs": int(prose.sum()),
                "agreement_prose": float(same[prose].mean()),
                "dropped_ours": float((ours != None).mean()),  # noqa: E711
                "dropped_datatrove": float((theirs != None).mean()),  # noqa: E711
                "disagreements": dict(causes.most_common(4)),
            }
        )
    return out


def _dt_reason(f, doc) -> str | None:
    result = f.filter(doc)
    return None if result is True else (result[1] if isinstance(result, tuple) else "dropped")


# --- driver --------------------------------------------------------------------------------------------


def _side(name: str, paths: list[Path], workers: int, dedup: bool) -> dict:
    """Run one side in a fresh interpreter so its peak RSS is its own."""
    cmd = [
        sys.executable,
        "-m",
        "bench.clean_throughput",
        "--side",
        name,
        "--workers",
        str(workers),
        "--dedup",
        str(int(dedup)),
        *map(str, paths),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"{name} side failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="8 MB and a 1,000-document agreement sample")
    parser.add_argument("--workers", type=int, default=cores())
    parser.add_argument("--sample", type=int, default=4000)
    parser.add_argument("--side", choices=["ours", "datatrove"])
    parser.add_argument("--dedup", type=int, default=1, help="0: filters only, on both sides")
    parser.add_argument("paths", nargs="*")
    args = parser.parse_args(argv)
    if args.side:  # child process: one side, JSON on the last line of stdout
        run = (
            run_ours(args.paths, args.workers, bool(args.dedup))
            if args.side == "ours"
            else run_datatrove(args.paths, args.workers, bool(args.dedup))
        )
        print(json.dumps(run))
        return
    mb, sample = (8, 1000) if args.quick else (args.mb, args.sample)
    paths = corpus(mb, args.workers)
    ours = _side("ours", paths, args.workers, dedup=bool(args.dedup))  # dedup only if the package exists
    theirs = _side("datatrove", paths, args.workers, dedup=ours["dedup"])
    report(mb, args.workers, ours, theirs, agreement(paths, sample) if sample else [])


def report(mb: int, workers: int, ours: dict, theirs: dict, agree: list[dict]) -> None:
    sides = (("ours", ours), ("datatrove", theirs))
    rate = {k: v["docs"] / v["seconds"] for k, v in sides}
    per_cpu = {k: v["docs"] / v["cpu_seconds"] for k, v in sides}
    rows = [
        [
            k,
            v["docs"],
            v["seconds"],
            rate[k],
            rate[k] / workers,
            per_cpu[k],
            v["peak_rss_mb"],
            v["peak_rss_all_processes_mb"],
        ]
        for k, v in sides
    ]
    title = (
        f"clean stage, {mb} MB, {workers} workers ({'filters + dedup keys' if ours['dedup'] else 'filters'})"
    )
    print_table(
        ["side", "docs", "seconds", "docs/s", "docs/s/core", "docs/CPU-s", "peak RSS MB", "all procs MB"],
        rows,
        title,
    )
    print(
        f"ratio ours/datatrove: {rate['ours'] / rate['datatrove']:.1f}x wall-clock, "
        f"{per_cpu['ours'] / per_cpu['datatrove']:.1f}x per CPU-second"
    )
    print_table(
        ["filter", "docs", "agree % all", "prose docs", "agree % prose", "drop % ours", "drop % datatrove"],
        [
            [
                a["filter"],
                a["docs"],
                100 * a["agreement"],
                a["prose_docs"],
                100 * a["agreement_prose"],
                100 * a["dropped_ours"],
                100 * a["dropped_datatrove"],
            ]
            for a in agree
        ],
        "keep/drop agreement per filter (same normalized texts, each filter alone)",
    )
    for a in agree:
        for cause, n in a["disagreements"].items():
            print(f"  {a['filter']}: {n} x {cause}")
    write_result(
        "clean_throughput" if ours["dedup"] else "clean_throughput_filters",
        {
            "mb": mb,
            "workers": workers,
            "includes_dedup": ours["dedup"],
            "ours": ours,
            "datatrove": theirs,
            "docs_per_s": rate,
            "docs_per_cpu_s": per_cpu,
            "ratio": rate["ours"] / rate["datatrove"],
            "ratio_per_cpu": per_cpu["ours"] / per_cpu["datatrove"],
            "units": "documents per second",
            "agreement": agree,
        },
    )


if __name__ == "__main__":
    main()
