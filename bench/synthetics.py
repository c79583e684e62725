"""Synthetics throughput: `perturb_v1` + `verifier_v1` + the gates on 10,000 demo prompts (pairs/s), the
verified share and the gate's drop counts by reason; against a baseline measured in the same run.

Data (deterministic, the demo generators): math problems, Python exercises with tests and chats in the demo's
proportions, plus planted cases: 1% exact copies of other seeds (in-run duplicates), 0.5% seeds whose text
is also another clean document (corpus duplicates) and 0.5% math problems that quote a real eval item of
the catalog (contamination). Baseline: the same code prompts verified with the sandbox running one program
at a time (what a plain loop over `subprocess.run` does), on a subset, against the concurrent sandbox.

    python -m bench.synthetics [--quick] [--prompts N]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import lance
import pyarrow as pa

from bench.common import cores, print_table, write_result
from platform_assets.cli.demo_data.dialogs import dialog
from platform_assets.cli.demo_data.exercises import exercise
from platform_assets.cli.demo_data.math_problems import math_problem
from platform_assets.cli.demo_data.prose import Prose, sentence_bank
from platform_assets.cli.demo_data.rng import FastRandom
from platform_assets.eval_sets import catalog
from platform_assets.eval_sets.contamination import canaries_of
from platform_assets.eval_sets.eval_ngram_index import NGRAM_SIZES, build_index_table, index_from_table
from platform_assets.eval_sets.items import build_items
from platform_assets.processors import sandbox
from platform_assets.processors.dedup.index_lookup import IndexLookup
from platform_assets.processors.dedup.minhash import document_bands
from platform_assets.processors.dedup.presets import get_preset
from platform_assets.processors.dedup.schemas import INDEX_SCHEMA
from platform_assets.synthetics.build import GateInputs, build_pairs
from platform_assets.synthetics.spec import SynthSpec
from resources import lance_filters

NAME = "synthetics"
SHARES = (("math", 0.12), ("dialog", 0.13), ("code", 0.05))  # the demo sources' shares per day
SPEC = SynthSpec.model_validate({
    "name": "bench", "description": "bench", "seed": 3, "sql": "select doc_id, text from {{ ref('x') }}",
    "generator": {"name": "perturb_v1"}, "judge": {"name": "verifier_v1"}, "output_columns": ["domain"]})


def seeds(n: int, seed: int = 0) -> tuple[pa.Table, list[dict]]:
    """(seed rows, extra corpus rows): `n` prompts with the planted duplicates, copies and leaks."""
    rng = FastRandom(f"bench-synthetics-{seed}")
    prose = Prose(rng, sentence_bank(seed))
    total = sum(s for _, s in SHARES)
    rows = []
    for i in range(n):
        pick, domain = rng.random() * total, "code"
        for name, share in SHARES:
            if pick < share:
                domain = name
                break
            pick -= share
        text = {"math": lambda: math_problem(rng)[0], "dialog": lambda: dialog(rng, prose)[0],
                "code": lambda: exercise(rng)[0]}[domain]()
        rows.append({"doc_id": f"s{i:06d}", "text": text, "domain": domain})
    items = eval_items()
    first_lines = [t.split("\n")[0] for t in items.column("index_text").to_pylist()]
    questions = [q for q in first_lines if len(q.split()) > 20]  # a whole question: many 13-gram matches
    for k in range(0, n, 100):  # 1%: an exact copy of another seed
        rows[k + 1].update(text=rows[k]["text"], domain=rows[k]["domain"])
    for k in range(50, n, 200):  # 0.5%: a math problem quoting an eval question
        q = questions[(k // 200) % len(questions)]
        a, b = k // 7 + 2, k // 13 + 3  # distinct worked steps: each leak is its own candidate
        rows[k].update(domain="math", text=f"Problem: {q}\n\nSolution:\nTotal: {a} + {b} = {a + b}.\n\n"
                                           f"Answer: {a + b}")
    corpus = [{"doc_id": f"copy{k}", "text": rows[k]["text"]} for k in range(25, n, 200)]  # 0.5%
    return pa.Table.from_pylist(rows), corpus


def planted(n: int) -> dict[str, int]:
    return {"exact_copies_of_another_seed": len(range(0, n, 100)), "eval_leaks": len(range(50, n, 200)),
            "corpus_copies": len(range(25, n, 200))}


def eval_items() -> pa.Table:
    return pa.concat_tables([build_items(spec)[0] for spec in catalog.load_catalog().values()],
                            promote_options="permissive")


def gate_inputs(table: pa.Table, corpus: list[dict], folder: Path) -> GateInputs:
    """The gates' inputs as the asset builds them: the seeds and the corpus copies written as a Lance
    near_dup_index under `folder`, looked up through its sorted runs (cached under `folder` too)."""
    preset = get_preset("fineweb")
    texts = pa.array(table.column("text").to_pylist() + [c["text"] for c in corpus], pa.large_string())
    keys, present = document_bands(texts, preset)
    ids = table.column("doc_id").to_pylist() + [c["doc_id"] for c in corpus]
    index = pa.table({"doc_id": ids, "day": ["d"] * len(ids), "preset": [preset.name] * len(ids),
                      "bands": pa.array([k.tolist() if p else [] for k, p in zip(keys, present, strict=True)],
                                        pa.list_(pa.uint64()))}, schema=INDEX_SCHEMA)
    uri = str(folder / "near_dup_index.lance")
    lance.write_dataset(index, uri)
    lookup = IndexLookup.of(folder / "runs", uri, lance.dataset(uri), preset,
                            lance_filters.compare("preset", "=", preset.name), day=None)
    items = eval_items()
    n = 13
    ngrams = build_index_table(items.select(["eval_set", "item_id", "index_text"]), NGRAM_SIZES)
    return GateInputs(preset, lookup, index_from_table(ngrams, n), canaries_of(items))


def run(table: pa.Table, gates: GateInputs):
    start = time.perf_counter()
    built = build_pairs(SPEC, "bench", pa.RecordBatchReader.from_batches(table.schema, table.to_batches()),
                        ("x", 1), gates)
    return built, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.synthetics")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--prompts", type=int, default=10_000)
    parser.add_argument("--baseline-prompts", type=int, default=200)
    args = parser.parse_args(argv)
    n = 600 if args.quick else args.prompts
    table, corpus = seeds(n)
    with tempfile.TemporaryDirectory() as folder:
        gates = gate_inputs(table, corpus, Path(folder))
        built, seconds = run(table, gates)
    s = built.stats
    code = table.filter(pa.compute.equal(table["domain"], "code")).slice(0, 60 if args.quick
                                                                         else args.baseline_prompts)
    _, concurrent = run(code, GateInputs(gates.minhash))
    workers, sandbox.WORKERS = sandbox.WORKERS, 1
    try:
        _, serial = run(code, GateInputs(gates.minhash))
    finally:
        sandbox.WORKERS = workers
    figures = {
        "prompts": n, "seconds": round(seconds, 2), "pairs": s["pairs"], "candidates": s["candidates"],
        "pairs_per_s": round(s["pairs"] / seconds, 1),
        "candidates_per_s": round(s["candidates"] / seconds, 1),
        "verified_share": round(s["verified"] / s["candidates"], 4),
        "dropped_by_reason": s["dropped_by_reason"], "planted": planted(n),
        "baseline": {"code_prompts": code.num_rows, "serial_s": round(serial, 2),
                     "concurrent_s": round(concurrent, 2), "workers": workers,
                     "speedup_vs_serial_sandbox": round(serial / concurrent, 2)},
        "network_isolated": sandbox.network_isolated(), "cores_used": cores(),
    }
    print_table(["figure", "value"], [[k, v] for k, v in figures.items() if not isinstance(v, dict)],
                title=f"perturb_v1 + verifier_v1 + gates on {n:,} prompts")
    print_table(["dropped by reason", "count"], sorted(s["dropped_by_reason"].items()))
    print(f"planted: {planted(n)} (a copied seed's text is also a clean document, so the seed it copies is a "
          "corpus duplicate too)")
    print(f"code prompts {code.num_rows}: serial sandbox {serial:.1f} s, concurrent ({workers} at once) "
          f"{concurrent:.1f} s -> x{serial / concurrent:.2f}")
    print(f"written {write_result(NAME, figures)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
