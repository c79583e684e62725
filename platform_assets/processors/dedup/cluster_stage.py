"""The clean stage of one partition as a task graph on a cluster: no step holds the day in one process.

1. pass 1, one task per raw batch: processors, spools, attrs; exact hashes and doc_ids shuffled by hash;
   the doc_ids clean on other days enter the same shuffle;
2. exact reduce per bucket: copies linked to their first copy, re-deliveries found;
3. band keys of each owner bucket (copies flagged) shuffled by key; band reduce: collisions become edges.
   Incremental scope: each band-reduce task looks its keys up in near_dup_index's sorted runs, which the
   driver refreshed (`cluster_prior.py`), and only the earlier documents found join the graph (or, given a
   stream of earlier index rows instead, every row enters the shuffle as a document of its own);
4. connected components: large-star / small-star rounds until every component is a star (`stars.py`);
5. members joined with their attrs and shuffled to their root; each cluster decided (`cluster_decide.py`);
6. pass 2 per owner bucket: verdicts applied, outputs written as uncommitted Lance fragments.

The driver only submits tasks, holds handles and small counts, refreshes the runs, and streams raw
batches and held ids into tasks. The decisions are those of `stage.CleanStage` on the same input.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import pyarrow as pa

from platform_assets.processors.dedup import cluster_decide as cd
from platform_assets.processors.dedup import cluster_prior as cp
from platform_assets.processors.dedup import cluster_tasks as ct
from platform_assets.processors.dedup import shuffle as sh
from platform_assets.processors.dedup import stars
from platform_assets.processors.dedup.index_lookup import IndexLookup
from platform_assets.processors.dedup.presets import get_preset
from platform_assets.processors.dedup.stage import DEDUP_FILTERS, StageOptions

MAX_ROUNDS = 64
ROWS_PER_BUCKET = 200_000  # documents per shuffle bucket: a reduce task holds ~300 bytes for each


def buckets_for(rows: int, parallelism: int, rows_per_bucket: int = ROWS_PER_BUCKET) -> int:
    """Shuffle buckets for a day of `rows` documents: enough that each bucket stays small, at least one
    per cluster CPU."""
    return max(2, parallelism, -(-rows // rows_per_bucket))


class ClusterStage:
    """`run` (everything, outputs written uncommitted), then `fragments` and `summary`, then `close`."""

    def __init__(self, executor: Any, clean_config: Any, options: StageOptions, scratch_uri: str,
                 targets: dict[str, ct.Target], storage_options: dict | None = None,
                 parts: int | None = None):
        self.ex, self.clean_config, self.options = executor, clean_config, options
        self.preset = get_preset(options.preset)
        self.scratch, self.targets, self.storage_options = scratch_uri, targets, storage_options
        self.parts = max(2, parts or executor.parallelism())  # a task returns one part per bucket
        self.metas: list[dict] = []
        self.fragments: dict[str, list] = {name: [] for name in targets}
        self.sums: Counter = Counter()
        self.rows_checked: int | None = None
        self.lookup: dict[str, int] = {}  # the index lookup's work: rows read, runs, documents merged
        self.prior_found = 0
        self.rounds = 0

    def _tasks(self, raw: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        step = self.options.batch_rows
        for batch in raw:
            for start in range(0, batch.num_rows, step):
                yield pa.concat_batches([batch.slice(start, step)])

    def _submit_bucketed(self, fn, *args, outputs: int) -> list:
        refs = self.ex.submit(fn, *args, num_returns=outputs)
        return refs if outputs > 1 else [refs]

    def run(self, raw: Iterable[pa.RecordBatch],
            prior_index: IndexLookup | Iterable[pa.RecordBatch] | None = None,
            held: Iterable[pa.RecordBatch] = ()) -> None:
        """Everything, outputs written uncommitted; `prior_index` (incremental scope): the earlier days'
        index looked up in its sorted runs (`IndexLookup`), or every earlier index row streamed."""
        P, ex, bands = self.parts, self.ex, self.preset.bands
        pending, attrs, exact = [], [[] for _ in range(P)], [[] for _ in range(P)]
        for task, batch in enumerate(self._tasks(raw)):
            refs = self._submit_bucketed(ct.pass_one, batch, task, self.clean_config, self.preset.name,
                                         self.scratch, self.options.day, P, self.storage_options,
                                         outputs=P + 2)
            pending.append(refs[0])
            attrs[task % P].append(refs[1])
            for p in range(P):
                exact[p].append(refs[2 + p])
            if len(pending) >= 2 * P:  # bounded in flight: the raw stream waits for the cluster
                self.metas.append(ex.get(pending.pop(0)))
        self.metas += [ex.get(r) for r in pending]
        if self.options.scope == "incremental" and prior_index is not None and not isinstance(prior_index,
                                                                                              IndexLookup):
            self.rows_checked = 0
            for number, batch in enumerate(prior_index):
                self.rows_checked += batch.num_rows
                attrs[(sh.PRIOR_TASK + number) % P].append(ex.submit(ct.prior_attrs, batch, number, bands))
        held_parts = [[] for _ in range(P)]
        for batch in held:
            for p, ref in enumerate(self._submit_bucketed(sh.held_parts, batch.column("doc_id").to_pylist(),
                                                           P, outputs=P)):
                held_parts[p].append(ref)
        first = [self._submit_bucketed(_exact_reduce, P, len(held_parts[p]), *held_parts[p], *exact[p],
                                       outputs=P) for p in range(P)]
        copies = [[first[p][q] for p in range(P)] for q in range(P)]  # per owner: dicts with "exact"
        band = [self._submit_bucketed(_band_parts, P, bands, len(copies[q]), *copies[q], *attrs[q], outputs=P)
                for q in range(P)]
        with self._history(prior_index) as history:
            band_edges = [self._submit_bucketed(_band_reduce, P, history, *[band[q][p] for q in range(P)],
                                                outputs=P + 1) for p in range(P)]
            # the runs stay locked until every bucket has read them; earlier band entries found, in all
            self.prior_found = sum(ex.get([band_edges[p][P] for p in range(P)]))
        edges = [[*(first[q][p] for q in range(P)), *(band_edges[q][p] for q in range(P))] for p in range(P)]
        final = self._components(edges)
        members = [self._submit_bucketed(_members, P, *[final[p][q] for p in range(P)], outputs=P)
                   for q in range(P)]
        joined = [self._submit_bucketed(_join, P, bands, P, len(copies[q]),
                                        *[members[p][q] for p in range(P)],
                                        *[band_edges[p][q] for p in range(P)], *copies[q], *attrs[q],
                                        outputs=P) for q in range(P)]
        verdicts = [self._submit_bucketed(_decide, P, bands, *[joined[q][r] for q in range(P)], outputs=P)
                    for r in range(P)]
        tasks = sorted(m["task"] for m in self.metas)
        writes = [ex.submit(_pass_two, [t for t in tasks if t % P == q], bands, P, len(copies[q]),
                            *[verdicts[r][q] for r in range(P)], *copies[q], *attrs[q], self.scratch,
                            self.options.day, self.preset.name, self.targets, self.storage_options)
                  for q in range(P)]
        for result in ex.get(writes):
            for name, frags in result["fragments"].items():
                self.fragments[name] += frags
            self.sums.update(result["sums"])

    @contextmanager
    def _history(self, prior_index: Any) -> Iterator[cp.History | None]:
        """Incremental scope with an `IndexLookup`: its runs refreshed (only fragments committed since the
        last lookup are read) and locked for the band-reduce tasks; otherwise None."""
        if self.options.scope != "incremental" or not isinstance(prior_index, IndexLookup):
            yield None
            return
        runs = prior_index.runs
        with runs.locked():
            live = runs.refresh(prior_index.dataset)
            self.rows_checked, self.lookup = runs.rows_before(live, self.options.day), dict(runs.stats)
            yield cp.History(runs, live, self.options.day)

    def _components(self, edges: list[list]) -> list[list]:
        """Large-star then small-star rounds until a large-star round finds every node settled."""
        P, ex = self.parts, self.ex
        for self.rounds in range(1, MAX_ROUNDS + 1):
            large = [self._submit_bucketed(_large_star, P, *edges[p], outputs=P + 1) for p in range(P)]
            if sum(ex.get([large[p][P] for p in range(P)])) == 0:
                return large
            small = [self._submit_bucketed(stars_small, P, *[large[q][p] for q in range(P)], outputs=P)
                     for p in range(P)]
            edges = [[small[q][p] for q in range(P)] for p in range(P)]
        raise RuntimeError(f"connected components did not converge in {MAX_ROUNDS} rounds")

    def summary(self) -> dict[str, Any]:
        """The partition's funnel, with the keys and values of `CleanStage.summary`."""
        counts, dropped = Counter(), Counter()
        for m in self.metas:
            counts.update(m["counts"])
            dropped.update(m["dropped"])
        dedup = {r: self.sums[r] for r in DEDUP_FILTERS}
        entering = sum(m["kept"] for m in self.metas)
        domains = {k: v for k, v in sorted(self.sums.items()) if k.startswith("clean_rows/") and v}
        out: dict[str, Any] = {
            "raw_rows": sum(m["raw"] for m in self.metas), "clean_rows": self.sums["clean_rows"], **domains,
            "rejected_rows": sum(m["rejected"] for m in self.metas) + sum(dedup.values()),
            **{f"dropped/{r}": n for r, n in sorted((dropped + Counter(dedup)).items()) if n},
            "dedup_rate": round(sum(dedup.values()) / entering, 6) if entering else 0.0,
            "dedup/preset": self.preset.name, "dedup/scope": self.options.scope,
            "lines_removed": counts["lines_removed"],
            **{k: self.sums[k] for k in ("tokens_kept", "pii/emails", "pii/phones", "pii/ips")},
        }
        if self.rows_checked is not None:
            out["near_dup_index/rows_checked"] = self.rows_checked
            out.update({f"near_dup_index/{k}": v for k, v in sorted(self.lookup.items())})
        return out

    def close(self) -> None:
        """Deletes the scratch spools pass 2 did not (a failed run's)."""
        ct.drop_spools([m["task"] for m in self.metas], self.scratch, self.storage_options)


# Module-level task bodies: a bucket's handles arrive as varargs (a cluster resolves top-level refs only).

def _exact_reduce(P: int, n_held: int, *parts: Any) -> list:
    return sh.exact_reduce(P, list(parts[:n_held]), list(parts[n_held:]))


def _band_parts(P: int, bands: int, n_copies: int, *parts: Any) -> list:
    return sh.band_parts(P, bands, [p["exact"] for p in parts[:n_copies]], list(parts[n_copies:]))


def _band_reduce(P: int, history: cp.History | None, *parts: Any) -> list:
    """A bucket's edges and hits (and, looked up in the runs, the earlier documents found, by owner), then
    the count of earlier band entries found."""
    if history is None:
        return [*sh.band_reduce(P, list(parts)), 0]
    band = sh.concat(parts, sh.BAND)
    entries, prior = cp.found(history, band, P)
    out = sh.band_reduce(P, [band, entries])
    return [*({**o, "prior": p} for o, p in zip(out, prior, strict=True)), len(entries["node"])]


def _large_star(P: int, *parts: Any) -> list:
    return stars.large_star(P, [p["edges"] if "edges" in p else p for p in parts])


def stars_small(P: int, *parts: Any) -> list:
    return stars.small_star(P, list(parts))


def _members(P: int, *parts: Any) -> list:
    return stars.star_members(P, list(parts))


def _join(P: int, bands: int, n_members: int, n_copies: int, *parts: Any) -> list:
    members, hits, rest = list(parts[:n_members]), parts[n_members: 2 * n_members], parts[2 * n_members:]
    owned = [*rest[n_copies:], *(h["prior"] for h in hits if "prior" in h)]  # earlier documents looked up
    return cd.join_members(P, bands, members, [p["exact"] for p in rest[:n_copies]], owned,
                           [h["hits"] for h in hits])


def _decide(P: int, bands: int, *parts: Any) -> list:
    return cd.decide_clusters(P, bands, list(parts))


def _pass_two(tasks: list[int], bands: int, P: int, n_copies: int, *args: Any) -> dict:
    verdicts, copies, rest = args[:P], args[P: P + n_copies], args[P + n_copies:]
    owned, (scratch, day, preset, targets, storage_options) = rest[:-5], rest[-5:]
    redelivered = [c["redelivered"] for c in copies]
    return ct.pass_two(tasks, bands, list(verdicts), redelivered, list(owned), scratch, day, preset, targets,
                       storage_options)
