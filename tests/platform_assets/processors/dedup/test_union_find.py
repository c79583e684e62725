import numpy as np

from platform_assets.processors.dedup.union_find import collision_edges, components


def _reference(n, a, b):
    parent = list(range(n))

    def find(x):
        while parent[x] != x:
            x = parent[x]
        return x

    for x, y in zip(a, b, strict=True):
        rx, ry = find(x), find(y)
        parent[max(rx, ry)] = min(rx, ry)
    return [find(i) for i in range(n)]


def test_components_match_a_plain_union_find():
    rng = np.random.default_rng(7)
    for _ in range(200):
        n = int(rng.integers(1, 80))
        a, b = rng.integers(0, n, int(rng.integers(0, 100))), rng.integers(0, n, int(rng.integers(0, 100)))
        m = min(len(a), len(b))
        assert components(n, a[:m], b[:m]).tolist() == _reference(n, a[:m].tolist(), b[:m].tolist())


def test_a_long_chain_collapses_to_its_smallest_node():
    n = 5000
    order = np.random.default_rng(1).permutation(n)
    assert (components(n, order[:-1], order[1:]) == 0).all()


def test_collision_edges_link_to_the_first_node_with_the_key():
    a, b = collision_edges(np.array([5, 3, 5, 3, 7], np.uint64), np.array([4, 1, 2, 0, 3]))
    assert sorted(zip(a.tolist(), b.tolist(), strict=True)) == [(1, 0), (4, 2)]
