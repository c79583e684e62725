"""Near-duplicate detection quality on pairs with exactly computed word 5-gram Jaccard similarity."""

import numpy as np
import pyarrow as pa
import pytest

from platform_assets.cli.demo_data.prose import Prose
from platform_assets.cli.demo_data.rng import derive
from platform_assets.cli.demo_data.similarity import near_copy
from platform_assets.processors.dedup.clusters import decide_arrays
from platform_assets.processors.dedup.decide import EXACT, NEAR
from platform_assets.processors.dedup.exact import exact_hashes
from platform_assets.processors.dedup.minhash import EMPTY, document_bands, signatures
from platform_assets.processors.dedup.presets import PRESETS
from platform_assets.processors.dedup.shingles import shingles
from tests.platform_assets.processors.dedup.corpus import jaccard, pair, vocabulary


@pytest.fixture(scope="module")
def pairs():
    """600 pairs with Jaccard in [0.8, 1) and 2400 with Jaccard < 0.5, each pair far from every other."""
    rng = np.random.default_rng(42)
    vocab = vocabulary(rng)
    made = [pair(rng, vocab, 250, f) for f in rng.uniform(0.0, 0.022, 600)]  # 0.8 <= J < 1
    made += [pair(rng, vocab, 250, f) for f in rng.uniform(0.06, 0.9, 2400)]  # J < 0.5
    return made


def _dropped_pairs(pairs, preset):
    ids = np.array([f"{i:05d}{side}" for i in range(len(pairs)) for side in "ab"], dtype=object)
    texts = pa.array([t for a, b, _ in pairs for t in (a, b)])
    keys, present = document_bands(texts, PRESETS[preset])
    d = decide_arrays(ids, exact_hashes(texts), keys, present)
    b_dropped = np.isin(d.reason[1::2], [NEAR, EXACT]) & (d.duplicate_of[1::2] == ids[0::2])
    assert not d.reason[0::2].any()  # the first seen of each pair is always kept
    return b_dropped


def test_fineweb_recall_and_false_positives(pairs):
    jac = np.array([j for _, _, j in pairs])
    high, low = (jac >= 0.8) & (jac < 1), jac < 0.5
    assert high.sum() >= 500 and low.sum() >= 2000
    dropped = _dropped_pairs(pairs, "fineweb")
    _meets_targets("fineweb", dropped, high, low)


def _meets_targets(label: str, merged: np.ndarray, high: np.ndarray, low: np.ndarray) -> None:
    """Recall >= 0.95 on the `high` pairs (J >= 0.8), false positives < 1% on the `low` ones (J < 0.5)."""
    recall, false_pos = merged[high].mean(), merged[low].mean()
    print(f"{label}: recall {recall:.4f} on {high.sum()} pairs with J >= 0.8, "
          f"false positives {false_pos:.4f} on {low.sum()} pairs with J < 0.5")
    assert recall >= 0.95, recall
    assert false_pos < 0.01, false_pos


@pytest.fixture(scope="module")
def prose_pairs():
    """Pairs from the demo prose generator: 300 edited copies in the demo's high band (J 0.82-0.93), 400 in
    its low band (J 0.30-0.45), and 1,600 pairs of independent articles, which share the sentences the
    generator reuses (as web pages share boilerplate)."""
    prose, rng = Prose(derive(21, "minhash-prose")), derive(22, "minhash-edits")
    articles = [prose.article(words=rng.randint(250, 600)) for _ in range(300 + 400 + 3200)]
    made = [(a, near_copy(rng, a, "high")[0]) for a in articles[:300]]
    made += [(a, near_copy(rng, a, "low")[0]) for a in articles[300:700]]
    return made + list(zip(articles[700::2], articles[701::2], strict=True))


def test_fineweb_recall_and_false_positives_on_demo_prose(prose_pairs):
    """The targets on realistic text, Jaccard measured on the preset's own (hashed) shingles."""
    preset = PRESETS["fineweb"]
    texts = pa.array([t for pair_ in prose_pairs for t in pair_])
    sh = shingles(texts, preset)
    sets = [set(sh.values[sh.offsets[i] : sh.offsets[i + 1]].tolist()) for i in range(len(texts))]
    jac = np.array([len(a & b) / len(a | b) for a, b in zip(sets[0::2], sets[1::2], strict=True)])
    ids = np.array([f"{i:05d}" for i in range(len(texts))], dtype=object)
    keys, present = document_bands(texts, preset)
    d = decide_arrays(ids, exact_hashes(texts), keys, present)
    kept_as = np.where(d.keep, d.cluster_id, d.duplicate_of)  # the kept document each one stands for
    merged = kept_as[0::2] == kept_as[1::2]
    high, low = jac >= 0.8, jac < 0.5
    assert high.sum() >= 250 and low.sum() >= 1900 and (low & (jac >= 0.3)).sum() >= 300
    _meets_targets("fineweb on demo prose", merged, high, low)


@pytest.mark.parametrize("preset", ["nemo", "rpv2"])
def test_other_presets_find_close_pairs_and_leave_distant_ones(preset):
    rng = np.random.default_rng(3)
    vocab = vocabulary(rng)
    sample = [pair(rng, vocab, 600, f) for f in np.r_[rng.uniform(0, 0.01, 150), rng.uniform(0.06, 0.9, 150)]]
    p = PRESETS[preset]
    unit = (lambda t: list(t)) if p.unit == "char" else str.split
    jac = np.array([jaccard(unit(a), unit(b), p.ngram) for a, b, _ in sample])  # in the preset's own n-grams
    dropped = _dropped_pairs(sample, preset)
    assert (jac >= 0.92).sum() >= 30 and (jac < 0.5).sum() >= 140
    assert dropped[jac >= 0.92].mean() >= 0.95
    assert dropped[jac < 0.5].mean() < 0.01


def test_empty_document_has_no_signature():
    fw = PRESETS["fineweb"]
    sig = signatures(shingles(pa.array(["", "one two three"]), fw), fw)
    assert (sig[0] == EMPTY).all() and not (sig[1] == EMPTY).any()
    keys, present = document_bands(pa.array(["", "one two three", "one two three"]), fw)
    assert present.tolist() == [False, True, True] and (keys[1] == keys[2]).all()
