"""The cluster stage's band step in the incremental scope: history looked up in the runs vs streamed.

    .venv/bin/python -m bench cluster_history [--quick]

Days of `--docs` documents (bench.near_dup_index's random band keys, 1% of each new day sharing 7 bands with
an earlier document) are committed through `lance_writes`, and the sorted runs refreshed after each, as the
next day's lookup does. At 5, 15 and 30 days of history the next day's band entries, cut into 4 key buckets
(`shuffle.band_parts`), go through the step of `ClusterStage` that the history enters, two ways, timed in
interleaved rounds in the same run (tasks run in this process, one after another):

- `lookup`: the driver's refresh under the runs' lock (nothing new), then per bucket the band-reduce task
  (`cluster_prior.found`: the bucket's keys searched in the runs, then `shuffle.band_reduce`);
- `scan`: every earlier index row streamed as attrs (`cluster_tasks.prior_attrs`), shuffled by key with
  the day's (`band_parts`), and reduced per bucket (the cluster stage before the runs).

Both must give the same number of edges and hits. Also counted: the earlier rows and the pickled bytes of
history that enter the shuffle (what Ray's object store would carry). CPU seconds are printed next to wall
seconds (the machine is shared).
"""

from __future__ import annotations

import argparse
import pickle
import tempfile
from pathlib import Path

import lance
import numpy as np

from bench.common import median_times, print_table, write_result
from bench.near_dup_index import BANDS, PRESET, commit_day, day_keys, day_name
from platform_assets.processors.dedup import cluster_prior as cp
from platform_assets.processors.dedup import shuffle as sh
from platform_assets.processors.dedup.cluster_tasks import prior_attrs
from platform_assets.processors.dedup.index_lookup import BandRuns
from resources import lance_scans
from resources.lance_filters import all_of, compare

PARTS = 4


def day_buckets(keys: np.ndarray, day: str) -> list[sh.Part]:
    """The new day's band entries by key bucket, from tasks of 1,024 documents (as pass 1 numbers them)."""
    rows = np.arange(len(keys))
    nodes = (rows // 1024).astype(np.uint64) << np.uint64(32) | (rows % 1024).astype(np.uint64)
    owned = sh.attrs(nodes, np.array([f"new-{i}" for i in rows], object), np.full(len(keys), day, object),
                     keys, np.ones(len(keys), bool))
    return sh.band_parts(PARTS, BANDS, [], [owned])


def totals(reduced: list[list[dict]]) -> tuple[int, int]:
    """Edges and hits of every bucket's band reduce."""
    parts = [p for bucket in reduced for p in bucket]
    return sum(len(p["edges"]["src"]) for p in parts), sum(len(p["hits"]["cur"]) for p in parts)


def checkpoint(uri: str, runs: BandRuns, day: str, keys: np.ndarray, repeat: int) -> dict:
    ds, buckets = lance.dataset(uri), day_buckets(keys, day)
    earlier = all_of(compare("day", "<", day), PRESET)
    shipped: dict[str, list] = {}

    def lookup(_r=0) -> list[list[dict]]:
        with runs.locked():
            history = cp.History(runs, runs.refresh(ds), day)
            out, shipped["lookup"] = [], []
            for part in buckets:
                entries, prior = cp.found(history, part, PARTS)
                shipped["lookup"].append([entries, prior])
                out.append(sh.band_reduce(PARTS, [part, entries]))
            return out

    def scan(_r=0) -> list[list[dict]]:
        owned: list[list] = [[] for _ in range(PARTS)]
        reader = ds.scanner(columns=["doc_id", "day", "bands"], filter=earlier, **lance_scans.STREAMING)
        for number, batch in enumerate(reader.to_reader()):
            owned[(sh.PRIOR_TASK + number) % PARTS].append(prior_attrs(batch, number, BANDS))
        shuffled = [sh.band_parts(PARTS, BANDS, [], own) for own in owned]
        shipped["scan"] = [owned, shuffled]
        return [sh.band_reduce(PARTS, [buckets[p], *(s[p] for s in shuffled)]) for p in range(PARTS)]

    same = totals(lookup()) == totals(scan())
    edges, hits = totals(lookup())
    sizes = {k: len(pickle.dumps(v, protocol=5)) for k, v in shipped.items()}
    looked_up = sum(len(entries["node"]) for entries, _ in shipped["lookup"])
    cpu: dict[str, float] = {}
    wall = median_times({"lookup": lookup, "scan": scan}, repeat=repeat, cpu=cpu)
    return {"same_edges_and_hits": same, "edges": edges, "hits": hits,
            "history_rows": ds.count_rows(earlier),
            "history_entries_looked_up": looked_up,
            "history_bytes_lookup": sizes["lookup"], "history_bytes_scan": sizes["scan"],
            **{f"{k}_s": v for k, v in wall.items()}, **{f"{k}_cpu_s": v for k, v in cpu.items()},
            "scan_over_lookup": wall["scan"] / wall["lookup"]}


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(prog="bench.cluster_history", description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="1,000 documents a day")
    ap.add_argument("--docs", type=int, help="documents a day (default 20,000; --quick 1,000)")
    ap.add_argument("--checkpoints", default="5,15,30", help="days of history to look a new day up against")
    args = ap.parse_args(argv)
    docs = args.docs or (1000 if args.quick else 20000)
    marks = sorted(int(x) for x in args.checkpoints.split(","))
    rng, history, results = np.random.default_rng(20), [], {}
    with tempfile.TemporaryDirectory(prefix="maslow-bench-cluster-history-") as tmp:
        uri, runs = f"{tmp}/near_dup_index.lance", BandRuns(Path(tmp) / "runs", BANDS, PRESET)
        for d in range(marks[-1] + 1):
            keys = day_keys(rng, docs, history)
            if d in marks:
                results[d] = checkpoint(uri, runs, day_name(d), keys, 1 if args.quick else 3)
            commit_day(uri, d, keys)
            history.append(keys)
            with runs.locked():
                runs.refresh(lance.dataset(uri))
    first, last = results[marks[0]], results[marks[-1]]
    figures = {"docs_per_day": docs, "buckets": PARTS, "checkpoints": {str(k): v for k, v in results.items()},
               **{f"{k}_growth_{marks[0]}_to_{marks[-1]}_days": last[f"{k}_s"] / first[f"{k}_s"]
                  for k in ("lookup", "scan")}}
    print_table(["days of history", "history rows", "entries looked up", "lookup s (cpu)", "scan s (cpu)",
                 "scan / lookup", "history MB lookup / scan", "same"],
                [(d, r["history_rows"], r["history_entries_looked_up"],
                  *(f"{r[k + '_s']:.3f} ({r[k + '_cpu_s']:.3f})" for k in ("lookup", "scan")),
                  f"{r['scan_over_lookup']:.1f}",
                  f"{r['history_bytes_lookup'] / 2**20:.2f} / {r['history_bytes_scan'] / 2**20:.1f}",
                  r["same_edges_and_hits"]) for d, r in results.items()],
                title=f"cluster stage band step, a {docs:,}-document day, {PARTS} buckets")
    write_result("cluster_history", figures)
    if not all(r["same_edges_and_hits"] for r in results.values()):
        raise AssertionError("the looked-up history gives other edges or hits than the streamed one")
    return figures


if __name__ == "__main__":
    main()
