"""The training loader: a mixture by name and version, random access via Lance `take`, sharded, resumable.

    mix = Mixture.open("broad_pretrain", version="mixture-broad_pretrain-v3")  # a Lance tag or version number
    mix[17]                      # sample_index 17, map-style
    order = ShardedOrder(len(mix), seed=0, rank=r, world_size=w, worker=k, num_workers=n, drop_last=False)
    for batch in mix.batches(order, batch_size=32, start=samples_seen): ...

The order is a stream over epochs of `m` positions each, as torch's `DistributedSampler` cuts them: with
`drop_last=False` (default) `m = ceil(n / world_size) * world_size`, the permutation wrapping around to pad,
so every sample is read and a few twice; with `drop_last=True` `m = (n // world_size) * world_size`, the
tail dropped. Global position g is sample `perm_e[(g % m) % n]` of epoch `e = g // m`, where `perm_e` is a
deterministic permutation of the mixture for that epoch. Rank r reads the positions with `g % world_size ==
r` (exactly `m / world_size` per epoch on every rank, so DDP step counts match), and its dataloader worker k
every `num_workers`-th of those: shard `k * world_size + r` of `S = world_size * num_workers` reads `g % S`.
Shards are disjoint and together cover every position; resuming at a global sample offset (`samples_seen`
over all ranks, the same number on every shard) continues exactly.
Lance is not fork-safe: a `Mixture` reopens its dataset in each process (dataloader workers included).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import lance
import numpy as np
import pyarrow as pa

from platform_assets import settings
from resources import lance_datasets, lance_scans

DEFAULT_COLUMNS = ("sample_index", "doc_id", "component", "epoch", "text", "token_count")
# A post-training mix over `preference_pairs` (its spec's output_columns carry these): one pair per sample,
# in TRL's conversational shape; doc_id is the pair_id.
PAIR_COLUMNS = ("sample_index", "doc_id", "component", "epoch", "prompt_messages", "chosen_messages",
                "rejected_messages", "prompt", "chosen", "rejected", "margin")


class Mixture:
    """Map-style access to one mixture (`mixtures` partition) at one Lance version.

    Args:
        name: the mixture (spec) name.
        version: a Lance version number or tag of the `mixtures` dataset; None = latest (resolved once).
        root_uri: the lake root (default `settings.lake_uri()`); storage_options for object stores.
        columns: what a sample holds (`PAIR_COLUMNS` for a mix of preference pairs).
    """

    def __init__(self, name: str, version: int | str | None = None, root_uri: str | None = None,
                 storage_options: dict | None = None, columns: Sequence[str] = DEFAULT_COLUMNS):
        self.name = name
        self.uri = lance_datasets.dataset_uri(root_uri or settings.lake_uri(), ["mixtures"])
        self.storage_options = storage_options
        self.columns = list(columns)
        ds = lance_datasets.open_dataset(self.uri, version, storage_options)
        if ds is None:
            raise FileNotFoundError(f"no mixtures dataset (or no version {version!r}) at {self.uri}")
        self.version = ds.version  # a tag or "latest" resolves once: every worker reads the same data
        self._offsets = _offsets_by_sample(ds, name)
        if len(self._offsets) == 0:
            raise LookupError(f"mixture {name!r} has no rows in {self.uri} at version {self.version}")
        self._ds, self._pid = ds, os.getpid()

    @classmethod
    def open(cls, name: str, version: int | str | None = None, **kwargs) -> Mixture:
        return cls(name, version, **kwargs)

    def __len__(self) -> int:
        return len(self._offsets)

    def __getitem__(self, sample_index: int) -> dict:
        return self.take([sample_index]).to_pylist()[0]

    def take(self, sample_indices: Sequence[int] | np.ndarray,
             columns: Sequence[str] | None = None) -> pa.Table:
        """The samples with these `sample_index` values, in the order asked (one Lance `take`), holding
        `columns` (default: the mixture's own)."""
        idx = np.asarray(sample_indices, dtype=np.int64)
        if len(idx) and (idx.min() < 0 or idx.max() >= len(self)):
            raise IndexError(f"sample_index out of range 0..{len(self) - 1}")
        columns = list(columns) if columns is not None else self.columns
        # sample_index is known: fill it in rather than read it (a take costs about one read per column)
        stored = [c for c in columns if c != "sample_index"]
        table = self._dataset().take(self._offsets[idx], columns=stored)
        if "sample_index" in columns:
            table = table.add_column(columns.index("sample_index"), "sample_index", pa.array(idx))
        return table

    def batches(self, order: ShardedOrder, batch_size: int, start: int = 0,
                stop: int | None = None) -> Iterator[pa.Table]:
        """This shard's samples from global offset `start` (samples seen so far) up to `stop`, in batches."""
        for chunk in order.chunks(start, stop if stop is not None else order.stop, batch_size):
            yield self.take(chunk)

    def _dataset(self):
        if os.getpid() != self._pid:  # forked into a dataloader worker: Lance handles must not cross a fork
            self._ds = lance.dataset(self.uri, version=self.version, storage_options=self.storage_options)
            self._pid = os.getpid()
        return self._ds

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_ds": None, "_pid": -1}


def _offsets_by_sample(ds, name: str) -> np.ndarray:
    """`offsets[sample_index]` = the row offset `ds.take` needs, from the fragments holding `name`."""
    wanted = {f.fragment_id for f in lance_scans.select_partitions(ds, ["mixture"], [(name,)]).fragments}
    base, samples, offsets = 0, [], []
    for frag in ds.get_fragments():
        rows = frag.count_rows()
        if frag.fragment_id in wanted:
            t = frag.to_table(columns=["mixture", "sample_index"])
            keep = np.flatnonzero(np.asarray(t.column("mixture").to_numpy(zero_copy_only=False) == name))
            samples.append(t.column("sample_index").to_numpy()[keep])
            offsets.append(base + keep)
        base += rows
    if not samples:
        return np.empty(0, np.int64)
    samples_all, offsets_all = np.concatenate(samples), np.concatenate(offsets)
    out = np.full(len(samples_all), -1, np.int64)
    out[samples_all] = offsets_all
    if (out < 0).any():
        raise ValueError(f"mixture {name!r}: sample_index values are not 0..{len(out) - 1}")
    return out


@dataclass(frozen=True)
class ShardedOrder:
    """Deterministic per-epoch permutations of `n` samples, split evenly over ranks, then over workers."""

    n: int
    seed: int = 0
    rank: int = 0
    world_size: int = 1
    worker: int = 0
    num_workers: int = 1
    epochs: int = 1
    drop_last: bool = False

    def __post_init__(self):
        if not (0 <= self.rank < self.world_size and 0 <= self.worker < self.num_workers):
            raise ValueError(f"need 0 <= rank < world_size and 0 <= worker < num_workers, got {self}")
        if self.epoch_length == 0:
            raise ValueError(f"no samples per epoch: n={self.n}, world_size={self.world_size}, "
                             f"drop_last={self.drop_last}")

    @property
    def epoch_length(self) -> int:
        """Positions per epoch `m`: padded up (or, with drop_last, cut down) to a multiple of world_size."""
        per_rank = self.n // self.world_size if self.drop_last else -(-self.n // self.world_size)
        return per_rank * self.world_size

    @property
    def stop(self) -> int:
        """The global position after the last epoch."""
        return self.epochs * self.epoch_length

    @property
    def shard(self) -> int:
        return self.worker * self.world_size + self.rank

    @property
    def num_shards(self) -> int:
        return self.world_size * self.num_workers

    def permutation(self, epoch: int) -> np.ndarray:
        return np.random.default_rng([self.seed, epoch]).permutation(self.n)

    def positions(self, start: int, stop: int) -> np.ndarray:
        """This shard's global positions g in [start, stop)."""
        first = start + (self.shard - start) % self.num_shards
        return np.arange(first, stop, self.num_shards, dtype=np.int64)

    def samples(self, start: int, stop: int) -> np.ndarray:
        """The sample indices at this shard's positions in [start, stop)."""
        g = self.positions(start, stop)
        m = self.epoch_length
        out = np.empty(len(g), np.int64)
        for epoch in np.unique(g // m):
            mask = g // m == epoch
            out[mask] = self.permutation(int(epoch))[g[mask] % m % self.n]
        return out

    def chunks(self, start: int, stop: int, batch_size: int) -> Iterator[np.ndarray]:
        """This shard's samples in [start, stop) in batches (across epoch ends), one permutation at a time."""
        m = self.epoch_length
        pending = np.empty(0, np.int64)
        for epoch_start in range(start - start % m, stop, m):
            lo, hi = max(start, epoch_start), min(stop, epoch_start + m)
            pending = np.concatenate([pending, self.samples(lo, hi)])
            while len(pending) >= batch_size:
                yield pending[:batch_size]
                pending = pending[batch_size:]
        if len(pending):
            yield pending


try:  # optional: a PyTorch wrapper when torch is installed
    import torch.utils.data as _torch_data
except ImportError:  # pragma: no cover - torch is not a dependency
    _torch_data = None

if _torch_data is not None:  # pragma: no cover - exercised only where torch is installed

    class TorchMixture(_torch_data.IterableDataset):
        """A torch IterableDataset over one mixture; shards by rank and by `get_worker_info()`."""

        def __init__(self, mixture: Mixture, batch_size: int, seed: int = 0, rank: int = 0,
                     world_size: int = 1, epochs: int = 1, start: int = 0, drop_last: bool = False):
            self.mixture, self.batch_size, self.seed = mixture, batch_size, seed
            self.rank, self.world_size, self.epochs, self.start = rank, world_size, epochs, start
            self.drop_last = drop_last

        def __iter__(self):
            info = _torch_data.get_worker_info()
            order = ShardedOrder(len(self.mixture), self.seed, self.rank, self.world_size,
                                 info.id if info else 0, info.num_workers if info else 1, self.epochs,
                                 self.drop_last)
            for batch in self.mixture.batches(order, self.batch_size, self.start):
                yield batch.to_pydict()
