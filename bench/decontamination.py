"""Decontamination checking throughput (MB/s of text): our vectorised checker against a plain-Python
reference of the same semantics (`bench/decontam_reference.py`, janitor.py-style), in the same run.

Data (deterministic): documents of ~4 KB drawn from a 30k-word Zipf vocabulary, 10% with non-ASCII
words; 1% carry a planted fragment (14-30 words) or a whole eval item. The index holds the sample
catalog's items plus synthetic items of 60 words (13-grams, lm_eval preset). Both checkers get the
same record batches and must return the same rows; each round times both, interleaved.

    python -m bench.decontamination [--quick] [--mb N] [--items N] [--repeat N]
"""

from __future__ import annotations

import argparse
import random

import numpy as np
import pyarrow as pa

from bench import decontam_reference as ref
from bench.common import cores, median_times, print_table, write_result
from platform_assets import settings
from platform_assets.eval_sets import catalog
from platform_assets.eval_sets.contamination import CONTAMINATION_SCHEMA, Tally, contamination_batches
from platform_assets.eval_sets.items import build_items
from platform_assets.processors import decontam

NAME = "decontamination"
PRESET = decontam.PRESETS["lm_eval"]


def vocabulary(size: int, rng: random.Random) -> tuple[list[str], np.ndarray]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = ["".join(rng.choice(letters) for _ in range(rng.randint(2, 9))) for _ in range(size)]
    words[:6] = ["naïve", "café", "Straße", "déjà", "ÉCOLE", "año"]
    weights = 1.0 / np.arange(1, size + 1)
    return words, weights / weights.sum()


def corpus(mb: float, items: list[str], seed: int = 0) -> pa.Table:
    rng, nrng = random.Random(seed), np.random.default_rng(seed)
    words, p = vocabulary(30_000, rng)
    ascii_only = [w if w.isascii() else "plain" for w in words]
    ids, texts, size = [], [], 0
    while size < mb * 1e6:
        vocab = words if rng.random() < 0.1 else ascii_only
        picks = nrng.choice(len(vocab), size=rng.randint(400, 900), p=p)
        text = " ".join(vocab[i] for i in picks) + "."
        if rng.random() < 0.01:
            item = rng.choice(items).split()
            start, length = rng.randint(0, max(0, len(item) - 14)), rng.choice([14, 20, 30, len(item)])
            at = text.find(" ", rng.randint(0, len(text) - 1))
            text = f"{text[:at]} {' '.join(item[start:start + length])}{text[at:]}"
        ids.append(f"doc-{len(ids)}")
        texts.append(text)
        size += len(text.encode())
    return pa.table({"doc_id": ids, "text": texts})


def eval_texts(synthetic: int, seed: int = 1) -> list[tuple[str, str, str]]:
    specs = catalog.load_catalog(settings.SPEC_DIR / catalog.FOLDER).values()
    real = [(r["eval_set"], r["item_id"], r["index_text"])
            for s in specs for r in build_items(s)[0].to_pylist()]
    rng = random.Random(seed)
    words, _ = vocabulary(30_000, rng)
    fake = [("synthetic", f"s{i}", " ".join(rng.choices(words, k=60))) for i in range(synthetic)]
    return real + fake


def run_fast(docs: pa.Table, index: decontam.NgramIndex) -> list[tuple]:
    rows = contamination_batches(docs.to_batches(max_chunksize=8192), index, {}, PRESET, "bench", Tally())
    table = pa.Table.from_batches(list(rows), CONTAMINATION_SCHEMA)
    return sorted(zip(*(table[c].to_pylist() for c in ref.ROW_COLUMNS), strict=True),
                  key=lambda r: (r[0], r[1], r[2] or ""))


def run_reference(docs: pa.Table, index: dict) -> list[tuple]:
    rows = []
    for batch in docs.to_batches(max_chunksize=8192):
        rows += ref.check(batch["doc_id"].to_pylist(), batch["text"].to_pylist(), index)
    return sorted(rows, key=lambda r: (r[0], r[1], r[2] or ""))


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.decontamination", description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="small smoke run (2 MB, 500 items, 1 round)")
    p.add_argument("--mb", type=float, help="MB of document text (default 32; --quick 2)")
    p.add_argument("--items", type=int, help="synthetic eval items on top of the catalog (default 5,000)")
    p.add_argument("--repeat", type=int, help="timed rounds (default 3; --quick 1)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> dict:
    args = parse(argv)
    mb, repeat = args.mb or (2 if args.quick else 32), args.repeat or (1 if args.quick else 3)
    items = eval_texts(args.items or (500 if args.quick else 5_000))
    docs = corpus(mb, [t for _, _, t in items])
    text_mb = sum(len(t.encode()) for t in docs["text"].to_pylist()) / 1e6
    build = median_times({"vectorised": lambda _: decontam.NgramIndex.build(items, PRESET.n),
                          "reference": lambda _: ref.build_index(items, PRESET.n)}, repeat)
    index, ref_index = decontam.NgramIndex.build(items, PRESET.n), ref.build_index(items, PRESET.n)
    fast, slow = run_fast(docs, index), run_reference(docs, ref_index)
    if fast != slow:
        raise AssertionError(f"checkers disagree: {len(fast)} rows vs {len(slow)} reference rows")
    med = median_times({"vectorised": lambda _: run_fast(docs, index),
                        "reference": lambda _: run_reference(docs, ref_index)}, repeat)
    mbps = {k: text_mb / v for k, v in med.items()}
    figures = {
        "unit": "MB/s of UTF-8 document text (single process)", "text_mb": round(text_mb, 2),
        "docs": docs.num_rows, "eval_items": len(items), "index_ngrams": int(len(index.hashes)),
        "flagged_docs": len({r[0] for r in fast}), "rows": len(fast), "repeat": repeat, "quick": args.quick,
        "median_s": {k: round(v, 4) for k, v in med.items()},
        "mb_per_s": {k: round(v, 2) for k, v in mbps.items()},
        "speedup_vs_reference": round(mbps["vectorised"] / mbps["reference"], 1),
        "index_build_s": {k: round(v, 4) for k, v in build.items()}, "cores": cores(),
    }
    print_table(["checker", "median s", "MB/s", "index build s"],
                [[k, med[k], mbps[k], build[k]] for k in med],
                title=f"decontamination: {text_mb:.1f} MB, {docs.num_rows:,} docs, {len(items):,} items, "
                      f"{len(fast)} rows")
    print(f"speedup vs plain-Python reference: {figures['speedup_vs_reference']}x")
    print(f"wrote {write_result(NAME, figures)}")
    return figures


if __name__ == "__main__":
    main()
