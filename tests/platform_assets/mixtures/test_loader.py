import lance
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


def _stored(lake, mixture: str, version=None) -> dict[int, dict]:
    """{sample_index: row} of one mixture, by a direct Lance scan (not through the loader's offsets)."""
    ds = lance.dataset(f"{lake}/mixtures.lance", version=version)
    rows = ds.to_table(filter=f"mixture = '{mixture}'").to_pylist()
    return {r.pop("sample_index"): r for r in rows}


@pytest.mark.parametrize("mixture", ["mix", "other"])
def test_take_returns_the_stored_rows_of_each_requested_sample(materialized, mixture):
    lake, _ = materialized
    stored = _stored(lake, mixture)
    mix = Mixture.open(mixture, root_uri=str(lake))
    assert sorted(stored) == list(range(len(mix)))
    asked = np.random.default_rng(0).permutation(len(mix))
    got = mix.take(asked).to_pylist()
    assert [r["sample_index"] for r in got] == asked.tolist()
    for row in got:
        want = stored[row.pop("sample_index")]
        assert row == {k: want[k] for k in row}  # doc_id, component, epoch, text, token_count
    assert mix[7]["doc_id"] == stored[7]["doc_id"]


def test_open_by_tag_and_version_reads_that_materialization(materialized):
    lake, meta = materialized
    tagged = Mixture.open("other", meta[1]["lance/tag"].value, root_uri=str(lake))
    assert tagged.version == meta[1]["lance/version"].value
    old = Mixture.open("mix", meta[0]["lance/version"].value, root_uri=str(lake))
    stored = _stored(lake, "mix", meta[0]["lance/version"].value)
    assert old.take(np.arange(len(old))).column("doc_id").to_pylist() == [stored[i]["doc_id"] for i in
                                                                           range(len(old))]
    assert old.take(np.arange(len(old))).column("doc_id").to_pylist() == \
        Mixture.open("mix", root_uri=str(lake)).take(np.arange(42)).column("doc_id").to_pylist()


@pytest.mark.parametrize("world_size, num_workers", [(1, 1), (2, 1), (2, 3), (4, 2)])
def test_shards_are_disjoint_and_cover_every_position_and_sample_each_epoch(world_size, num_workers):
    n, epochs = 42, 2
    shards = [ShardedOrder(n, 5, r, world_size, w, num_workers, epochs) for r in range(world_size)
              for w in range(num_workers)]
    stop = shards[0].stop
    positions = np.sort(np.concatenate([s.positions(0, stop) for s in shards]))
    assert positions.tolist() == list(range(stop))  # disjoint and covering
    for epoch in range(epochs):
        lo, hi = epoch * shards[0].epoch_length, (epoch + 1) * shards[0].epoch_length
        every = np.concatenate([np.concatenate(list(s.chunks(lo, hi, 4))) for s in shards])
        assert len(every) == hi - lo and set(every.tolist()) == set(range(n))  # padding repeats a few


def _distributed_sampler(n: int, seed: int, epoch: int, rank: int, world_size: int, drop_last: bool) -> list:
    """torch.utils.data.DistributedSampler's split of one epoch's permutation (its code, without torch)."""
    indices = ShardedOrder(n, seed).permutation(epoch).tolist()
    if drop_last:
        indices = indices[:n // world_size * world_size]
    else:
        size = -(-n // world_size) * world_size
        while len(indices) < size:
            indices += indices[:size - len(indices)]
    return indices[rank::world_size]


@pytest.mark.parametrize("drop_last", [False, True])
@pytest.mark.parametrize("n, world_size", [(42, 4), (42, 5), (3, 5), (40, 4)])
def test_every_rank_reads_the_same_number_of_samples_like_distributed_sampler(n, world_size, drop_last):
    if drop_last and n < world_size:
        with pytest.raises(ValueError, match="no samples per epoch"):
            ShardedOrder(n, world_size=world_size, drop_last=drop_last)
        return
    per_rank = n // world_size if drop_last else -(-n // world_size)
    for epoch in range(2):
        read = []
        for rank in range(world_size):
            order = ShardedOrder(n, 9, rank, world_size, epochs=2, drop_last=drop_last)
            m = order.epoch_length
            got = order.samples(epoch * m, (epoch + 1) * m).tolist()
            assert len(got) == per_rank
            assert got == _distributed_sampler(n, 9, epoch, rank, world_size, drop_last)
            workers = [ShardedOrder(n, 9, rank, world_size, w, 3, 2, drop_last) for w in range(3)]
            by_worker = [w.samples(epoch * m, (epoch + 1) * m) for w in workers]
            assert sorted(np.concatenate(by_worker).tolist()) == sorted(got)  # workers split the rank's share
            read += got
        if drop_last:
            assert len(set(read)) == len(read) == per_rank * world_size  # disjoint, the tail dropped
        else:
            assert set(read) == set(range(n))  # every sample, a few twice


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


@pytest.mark.parametrize("drop_last", [False, True])
def test_resume_is_exact_when_ranks_do_not_divide_the_mixture(materialized, drop_last):
    lake, _ = materialized
    mix = Mixture.open("mix", root_uri=str(lake))
    world = 4  # 42 samples: 11 per rank per epoch padded, 10 dropping the tail
    orders = [ShardedOrder(len(mix), seed=3, rank=r, world_size=world, epochs=2, drop_last=drop_last)
              for r in range(world)]
    full = [[b.column("sample_index").to_pylist() for b in mix.batches(o, batch_size=3)] for o in orders]
    per_rank = 2 * (10 if drop_last else 11)
    assert {sum(len(b) for b in batches) for batches in full} == {per_rank}  # equal steps on every rank
    steps = 4  # 12 samples per rank: past the first epoch's end
    for r, order in enumerate(orders):
        batches = mix.batches(order, 3, start=steps * 3 * world)
        resumed = [b.column("sample_index").to_pylist() for b in batches]
        assert resumed == full[r][steps:]
