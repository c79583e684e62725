"""`TorchMixture` through a real torch DataLoader (spawn workers). Runs where torch is installed:
`make embeddings` brings the CPU build, and CI requires it (MASLOW_REQUIRE_EMBEDDINGS=1)."""

from __future__ import annotations

import os

import pytest

try:
    import torch.utils.data as torch_data
except ImportError:
    if os.environ.get("MASLOW_REQUIRE_EMBEDDINGS") == "1":
        raise
    pytest.skip("torch is not installed (make embeddings installs its CPU build)", allow_module_level=True)

from platform_assets.mixtures.loader import Mixture, ShardedOrder, TorchMixture


def _indices(dataset, **loader) -> list[list[int]]:
    return [batch["sample_index"] for batch in torch_data.DataLoader(dataset, batch_size=None, **loader)]


def test_two_spawn_workers_and_two_ranks_read_every_sample_once(materialized):
    lake, _ = materialized
    mix = Mixture.open("mix", root_uri=str(lake))
    seen = []
    for rank in range(2):
        data = TorchMixture(mix, batch_size=4, seed=7, rank=rank, world_size=2)
        batches = _indices(data, num_workers=2, multiprocessing_context="spawn")
        assert all(len(b) <= 4 for b in batches)
        seen += [i for b in batches for i in b]
    assert sorted(seen) == list(range(len(mix)))  # disjoint shards covering the mixture


def test_resume_continues_where_an_uninterrupted_run_went(materialized):
    lake, _ = materialized
    mix = Mixture.open("mix", root_uri=str(lake))
    full = _indices(TorchMixture(mix, batch_size=4, seed=7, epochs=2))
    expected = ShardedOrder(len(mix), seed=7, epochs=2).samples(0, 2 * len(mix))
    assert [i for b in full for i in b] == expected.tolist()
    resumed = _indices(TorchMixture(mix, batch_size=4, seed=7, epochs=2, start=5 * 4))
    assert resumed == full[5:]
