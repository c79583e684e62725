"""Per-core rates and per-document bytes of the clean stage, measured here, projected to 10 TB of text a day.

    .venv/bin/python -m bench.scaling [--mb 8] [--tb 10] [--quick]

The task-graph clean stage (`ClusterStage`) runs in this one process (LocalExecutor.submit) over a day of
bench.clean_memory's generated prose, so every task's CPU seconds (`time.process_time`) and the pickled
size of everything it returns (what Ray's object store would hold) are counted per step. From them:
CPU seconds per MB of text for pass 1 (the document processors) and for the dedup graph and writes,
shuffle bytes per document, and the Lance bytes per document of each output. `docs/scaling.md` shows the
arithmetic from these figures to a 10 TB day; results go to `$MASLOW_HOME/bench/scaling.json`.
"""

from __future__ import annotations

import argparse
import pickle
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import lance

from bench.clean_memory import DAY, lake
from bench.common import print_table, write_result
from resources.executor import LocalExecutor

PASS_ONE = "pass_one"


class MeasuringExecutor(LocalExecutor):
    """Runs tasks in this process like LocalExecutor(workers=0), counting CPU seconds and result bytes."""

    def submit(self, fn, *args: Any, num_returns: int = 1) -> Any:
        start = time.process_time()
        result = fn(*args)
        name = fn.__name__.lstrip("_")
        CPU[name] += time.process_time() - start
        parts = result if num_returns > 1 else [result]
        BYTES[name] += sum(len(pickle.dumps(p, protocol=5)) for p in parts[1 if name == PASS_ONE else 0:])
        return result


CPU: Counter = Counter()
BYTES: Counter = Counter()


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def measure(root: Path) -> dict:
    from platform_assets import settings
    from platform_assets.processors.clean_config import FILTERS_FILE
    from platform_assets.processors.dedup.cluster_stage import ClusterStage
    from platform_assets.processors.dedup.cluster_tasks import Target
    from platform_assets.processors.dedup.schemas import OUTPUT_SCHEMAS
    from platform_assets.processors.dedup.stage import StageOptions
    from platform_assets.processors.pipeline import load_clean_config
    from resources import lance_writes

    raw = lance.dataset(str(root / "raw_documents.lance"))
    text_mb = sum(b.column("text").nbytes for b in raw.to_batches(columns=["text"])) / 2**20
    out = Path(tempfile.mkdtemp(dir=root, prefix="scaling-"))
    targets = {name: Target(str(out / f"{name}.lance"), lance_writes.prepare(str(out / f"{name}.lance"), s),
                            lance_writes.fragment_options()) for name, s in OUTPUT_SCHEMAS.items()}
    CPU.clear()
    BYTES.clear()
    config = load_clean_config(settings.spec_dir() / FILTERS_FILE)
    stage = ClusterStage(MeasuringExecutor(workers=0), config, StageOptions(day=DAY, batch_rows=1024),
                         str(out / "_scratch"), targets, parts=4)
    stage.run(raw.to_batches(batch_size=4096))
    for name, target in targets.items():
        lance_writes.commit_fragments(target.uri, lance_writes.Fragments(stage.fragments[name]), ["day"],
                                      (DAY,))
    stage.close()
    summary = stage.summary()
    docs, kept = summary["raw_rows"], summary["clean_rows"]
    rest = sum(v for k, v in CPU.items() if k != PASS_ONE)
    return {
        "text_mb": text_mb, "docs": docs, "clean_docs": kept, "text_bytes_per_doc": text_mb * 2**20 / docs,
        "cpu_s_per_mb_pass_one": CPU[PASS_ONE] / text_mb, "cpu_s_per_mb_dedup_and_writes": rest / text_mb,
        "cpu_s_by_step": dict(CPU), "shuffle_bytes_per_doc": sum(BYTES.values()) / docs,
        "shuffle_bytes_by_step_per_doc": {k: v / docs for k, v in BYTES.items()},
        "lance_bytes_per_clean_doc": {name: _size(Path(t.uri)) / kept for name, t in targets.items()},
        "raw_lance_bytes_per_doc": _size(root / "raw_documents.lance") / docs,
        "star_rounds": stage.rounds, "dedup_rate": summary["dedup_rate"],
    }


def project(m: dict, tb: float, cores_per_node: int = 32) -> dict:
    """The day of `tb` TB of text (10^12 bytes) from the measured per-document and per-MB figures."""
    mb = tb * 1e12 / 2**20
    docs = tb * 1e12 / m["text_bytes_per_doc"]
    kept = docs * m["clean_docs"] / m["docs"]
    core_h = {"pass_one": mb * m["cpu_s_per_mb_pass_one"] / 3600,
              "dedup_and_writes": mb * m["cpu_s_per_mb_dedup_and_writes"] / 3600}
    index_day = kept * m["lance_bytes_per_clean_doc"]["near_dup_index"]
    return {
        "tb": tb, "documents": docs, "band_keys": docs * 14,
        "shuffle_tb": docs * m["shuffle_bytes_per_doc"] / 1e12,
        "core_hours": core_h, "nodes_for_6h": sum(core_h.values()) / 6 / cores_per_node,
        "index_tb_per_day": index_day / 1e12, "index_tb_30_days": 30 * index_day / 1e12,
        "index_tb_365_days": 365 * index_day / 1e12,
        "clean_tb_per_day": kept * m["lance_bytes_per_clean_doc"]["clean_documents"] / 1e12,
    }


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(prog="bench.scaling", description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=int, default=8, help="MB of text measured (default 8)")
    ap.add_argument("--tb", type=float, default=10.0, help="TB of text a day to project to (default 10)")
    ap.add_argument("--quick", action="store_true", help="2 MB")
    args = ap.parse_args(argv)
    measured = measure(lake(2 if args.quick else args.mb))
    projected = project(measured, args.tb)
    print_table(["figure", "value"], [
        ("measured text (MB) / documents", f"{measured['text_mb']:.1f} / {measured['docs']}"),
        ("pass 1 CPU s per MB", measured["cpu_s_per_mb_pass_one"]),
        ("dedup graph + writes CPU s per MB", measured["cpu_s_per_mb_dedup_and_writes"]),
        ("shuffle bytes per document", measured["shuffle_bytes_per_doc"]),
        ("near_dup_index bytes per clean doc", measured["lance_bytes_per_clean_doc"]["near_dup_index"]),
        (f"{args.tb:g} TB/day: documents", projected["documents"]),
        ("  core-hours pass 1 / dedup+writes", "{pass_one:,.0f} / {dedup_and_writes:,.0f}".format(
            **projected["core_hours"])),
        ("  shuffle TB", projected["shuffle_tb"]),
        ("  index TB after 365 days", projected["index_tb_365_days"]),
    ], title="clean stage: measured rates and a projected day")
    figures = {"measured": measured, "projected": projected}
    write_result("scaling", figures)
    return figures


if __name__ == "__main__":
    main()
