import numpy as np
import pytest

from platform_assets.mixtures import sampling
from platform_assets.mixtures.sampling import InsufficientTokensError, Source


def _source(name, n, tokens, ratio, **kw):
    ids = [f"{name}-{i}" for i in range(n)]
    return Source(name, np.full(n, tokens, np.int64), sampling.doc_priority(ids, name), ratio, **kw)


def test_budgets_follow_ratios_exactly_when_documents_divide_them():
    plan = sampling.plan_mixture([_source("a", 100, 10, 0.75), _source("b", 100, 5, 0.25)], 1000, seed=1)
    got = [(s.target_tokens, s.achieved_tokens, s.samples) for s in plan.stats]
    assert got == [(750, 750, 75), (250, 250, 50)]
    assert plan.achieved_ratios() == {"a": 0.75, "b": 0.25}
    assert len(plan.row) == 125 and set(plan.epoch.tolist()) == {0}


def test_too_small_component_is_a_hard_error_naming_it_and_its_tokens():
    with pytest.raises(InsufficientTokensError) as e:
        sampling.plan_mixture([_source("big", 100, 10, 0.5), _source("tiny", 10, 10, 0.5)], 1000, seed=0)
    msg = str(e.value)
    assert "component 'tiny'" in msg
    assert "100 tokens available" in msg and "500 tokens needed" in msg
    assert "max_repetition_ratio >= 5" in msg


def test_repetition_covers_a_small_component_with_epochs():
    tiny = _source("tiny", 10, 10, 0.5, max_repetition_ratio=5)
    plan = sampling.plan_mixture([_source("big", 100, 10, 0.5), tiny], 1000, seed=0)
    tiny = plan.stats[1]
    assert (tiny.achieved_tokens, tiny.samples, tiny.documents, tiny.epochs) == (500, 50, 10, 5)
    assert tiny.repetition_factor == 5.0
    epochs = plan.epoch[plan.component == 1]
    assert sorted(np.bincount(epochs).tolist()) == [10, 10, 10, 10, 10]


def test_partial_last_epoch_takes_a_prefix_and_each_document_once_per_epoch():
    source = _source("s", 10, 10, 1.0, max_repetition_ratio=2)
    rows, epochs = sampling.select(source, 150, 150)
    assert np.bincount(epochs).tolist() == [10, 5]
    assert len(set(rows[epochs == 1].tolist())) == 5


def test_max_source_fraction_limits_the_pool_and_the_error_accounts_for_it():
    source = _source("s", 10, 10, 1.0, max_source_fraction=0.5)
    rows, _ = sampling.select(source, 50, 50)
    assert len(rows) == 5
    with pytest.raises(InsufficientTokensError, match="usable = 50 tokens within max_source_fraction 0.5"):
        sampling.select(source, 60, 60)
    rows, epochs = sampling.select(_source("s", 10, 10, 1.0, max_source_fraction=0.5, max_repetition_ratio=2),
                                   100, 100)
    assert len(set(rows.tolist())) == 5 and np.bincount(epochs).tolist() == [5, 5]


def test_closest_prefix_rounds_to_the_nearest_document():
    tokens = np.array([10, 10, 10])
    assert [sampling.closest_prefix(tokens, t) for t in (0, 4, 5, 14, 16, 30, 99)] == [0, 0, 1, 1, 2, 3, 3]


def test_selection_ignores_the_input_order_and_the_seed_only_shuffles():
    ids = [f"d{i}" for i in range(50)]
    tokens = np.arange(1, 51, dtype=np.int64)
    src = Source("c", tokens, sampling.doc_priority(ids, "c"), 1.0)
    flip = np.arange(50)[::-1]
    rev = Source("c", tokens[flip], sampling.doc_priority([ids[i] for i in flip], "c"), 1.0)
    a, b = sampling.plan_mixture([src], 600, 1), sampling.plan_mixture([rev], 600, 1)
    assert [ids[i] for i in a.row] == [ids[flip[i]] for i in b.row]
    c = sampling.plan_mixture([src], 600, 2)
    assert sorted(a.row.tolist()) == sorted(c.row.tolist()) and a.row.tolist() != c.row.tolist()


def test_repetition_cap_applies_to_the_pool_left_by_max_source_fraction():
    # 0.55 of 100 tokens fits 5 whole documents (50 tokens): 2 x 50 = 100 usable, not 2 x 55 = 110
    source = _source("s", 10, 10, 1.0, max_source_fraction=0.55, max_repetition_ratio=2)
    with pytest.raises(InsufficientTokensError) as e:
        sampling.select(source, 110, 110)
    msg = str(e.value)
    assert "component 's'" in msg and "100 tokens available, 110 tokens needed" in msg
    assert "usable = 50 tokens within max_source_fraction 0.55 x max_repetition_ratio 2 = 100" in msg
    assert "max_repetition_ratio >= 2.2" in msg
    plan = sampling.plan_mixture([source], 100, seed=0)
    assert np.bincount(plan.row).max() == 2 and plan.stats[0].pool_tokens == 50
    assert plan.stats[0].repetition_factor == 2.0 and plan.stats[0].available_tokens == 100


def test_rounding_to_whole_documents_never_passes_the_repetition_cap():
    source = _source("s", 5, 10, 1.0, max_repetition_ratio=1.5)  # 50 tokens, at most 75
    rows, epochs = sampling.select(source, 75, 75)  # the closest prefix alone would take 80
    assert int(source.tokens[rows].sum()) == 70 and np.bincount(epochs).tolist() == [5, 2]


def test_doc_priority_is_xxh3_of_the_id_seeded_by_the_salt_for_lists_and_arrow_slices(monkeypatch):
    import pyarrow as pa
    import xxhash

    ids = [f"doc-{i}" for i in range(10)]
    want = [xxhash.xxh3_64_intdigest(d.encode(), xxhash.xxh32_intdigest(b"c")) for d in ids]
    monkeypatch.setattr(sampling, "_HASH_ROWS", 3)  # slices that do not divide the ids
    assert sampling.doc_priority(ids, "c").tolist() == want
    assert sampling.doc_priority(pa.array(ids), "c").tolist() == want
    assert sampling.doc_priority(pa.chunked_array([ids[:4], ids[4:]]), "c").tolist() == want
