import numpy as np
import pytest

from platform_assets.mixtures.loader import Mixture, ShardedOrder


def test_map_style_access_returns_the_sample_with_that_index(materialized):
    lake, _ = materialized
    mix = Mixture.open("mix", root_uri=str(lake))
    assert len(mix) == 42
    assert mix[5]["sample_index"] == 5
    table = mix.take([41, 0, 7])
    assert table.column("sample_index").to_pylist() == [41, 0, 7]
    with pytest.raises(IndexError):
        mix.take([42])
    with pytest.raises(LookupError, match="mixture 'nope' has no rows"):
        Mixture.open("nope", root_uri=str(lake))


def test_open_by_tag_and_version_reads_that_materialization(materialized):
    lake, meta = materialized
    tagged = Mixture.open("other", meta[1]["lance/tag"].value, root_uri=str(lake))
    assert tagged.version == meta[1]["lance/version"].value
    old = Mixture.open("mix", meta[0]["lance/version"].value, root_uri=str(lake))
    assert old.take(np.arange(len(old))).column("doc_id").to_pylist() == \
        Mixture.open("mix", root_uri=str(lake)).take(np.arange(42)).column("doc_id").to_pylist()


@pytest.mark.parametrize("world_size, num_workers", [(1, 1), (2, 1), (2, 3), (4, 2)])
def test_shards_are_disjoint_and_cover_every_sample_each_epoch(world_size, num_workers):
    n, epochs = 42, 2
    seen = []
    for rank in range(world_size):
        for worker in range(num_workers):
            order = ShardedOrder(n, seed=5, rank=rank, world_size=world_size, worker=worker,
                                 num_workers=num_workers, epochs=epochs)
            seen.append(np.concatenate(list(order.chunks(0, n * epochs, 4))))
    shards = [ShardedOrder(n, 5, r, world_size, w, num_workers) for r in range(world_size)
              for w in range(num_workers)]
    positions = np.sort(np.concatenate([s.positions(0, n * epochs) for s in shards]))
    assert positions.tolist() == list(range(n * epochs))  # disjoint and covering
    every = np.concatenate(seen)
    assert np.bincount(every, minlength=n).tolist() == [epochs] * n


def test_each_epoch_has_its_own_deterministic_permutation():
    order = ShardedOrder(42, seed=5)
    assert order.permutation(0).tolist() == ShardedOrder(42, seed=5).permutation(0).tolist()
    assert order.permutation(0).tolist() != order.permutation(1).tolist()
    assert ShardedOrder(42, seed=6).permutation(0).tolist() != order.permutation(0).tolist()


def test_resume_from_a_sample_offset_continues_exactly(materialized):
    lake, _ = materialized
    mix = Mixture.open("mix", root_uri=str(lake))
    world = 3
    orders = [ShardedOrder(len(mix), seed=11, rank=r, world_size=world, epochs=2) for r in range(world)]
    full = [[b.column("sample_index").to_pylist() for b in mix.batches(o, batch_size=4)] for o in orders]
    steps = 5  # every rank consumed 5 batches of 4: samples_seen = 5 * 4 * world, across the epoch boundary
    resumed = [[b.column("sample_index").to_pylist() for b in mix.batches(o, 4, start=steps * 4 * world)]
               for o in orders]
    for r in range(world):
        assert [len(b) for b in full[r]] == [4] * 7  # 28 samples per rank over 2 epochs, batches span them
        assert resumed[r] == full[r][steps:]
