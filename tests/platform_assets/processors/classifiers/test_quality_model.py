"""The hashed n-gram quality model: features, training, held-out metrics, artifact, config errors."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from platform_assets import settings
from platform_assets.processors.classifiers import hashed_ngrams, ngram_model
from platform_assets.processors.classifiers.hashed_ngrams import ngram_buckets, token_hashes
from platform_assets.processors.classifiers.quality_training import (
    is_holdout,
    load_config,
    load_reference,
    match_lengths,
)
from tests.platform_assets.processors.classifiers.conftest import demo_web_texts

GOOD = "The committee reviewed the evidence carefully before it reached a decision about the new bridge."
SPAM = "CLICK HERE best cheap deals BUY NOW free shipping best price subscribe"


def test_token_hashes_are_stable_case_folded_and_never_cross_documents():
    t = token_hashes(pa.array(["Hello, hello", "ab", "cd", "abcd", None, "héllo"]))
    assert t.counts.tolist() == [2, 1, 1, 1, 0, 1]
    assert t.hashes[0] == t.hashes[1]  # case folded
    assert t.hashes[4] != t.hashes[2] and t.hashes[4] != t.hashes[3]  # "abcd" is not "ab" + "cd"
    again = token_hashes(pa.array(["xx Hello"]))
    assert again.hashes[1] == t.hashes[0]  # same token, same hash, wherever it sits
    assert int(t.hashes[0]) == 0xD6483B3D76225688  # golden: a changed hash needs a new FEATURES_VERSION


def test_bigram_counts_per_row():
    buckets, rows, counts = ngram_buckets(pa.array(["a b c", "", "d"]), 1024)
    assert counts.tolist() == [5, 0, 1]  # 3 unigrams + 2 bigrams, nothing, 1 unigram
    assert sorted(rows.tolist()) == [0, 0, 0, 0, 0, 2]
    assert buckets.min() >= 0 and buckets.max() < 1024


def test_chunk_size_never_changes_a_score(monkeypatch, quality_model):
    rows = [f"row {i}: " + "the river rises " * (i % 7) + "Ünïcode tail" for i in range(40)]
    texts = pa.array([*rows, None])
    before = quality_model.logits(texts)
    monkeypatch.setattr(hashed_ngrams, "_CHUNK_BYTES", 64)  # many chunks, one row longer than a chunk
    assert quality_model.logits(texts).tolist() == before.tolist()  # bit for bit
    # scored chunk by chunk, equal to the whole batch's n-grams at once
    buckets, rows_of, counts = ngram_buckets(texts, quality_model.params.n_buckets)
    sums = np.bincount(rows_of, weights=quality_model.weights[buckets], minlength=len(counts))
    assert before.tolist() == (quality_model.bias + sums / np.maximum(counts, 1)).tolist()


def test_roc_auc_and_precision():
    assert ngram_model.roc_auc(np.array([0.1, 0.4, 0.35, 0.8]), np.array([0, 0, 1, 1])) == 0.75
    assert ngram_model.roc_auc(np.array([1.0, 1.0]), np.array([0, 1])) == 0.5
    assert ngram_model.precision_recall_at(np.array([0.2, 0.6, 0.9]), np.array([0, 0, 1]), 0.5) == (0.5, 1.0)


def test_quality_model_beats_a_length_only_baseline_on_held_out_data(quality_model):
    # negatives are demo-like web text, much longer than the reference paragraphs: only because they are
    # cut to the reference lengths does length alone fail to separate the classes
    m = quality_model.metrics
    assert m["n_holdout_pos"] >= 10 and m["n_holdout_neg"] >= 50
    assert m["holdout_roc_auc"] >= 0.95
    assert m["length_baseline_roc_auc"] <= 0.7
    assert m["holdout_roc_auc"] > m["length_baseline_roc_auc"] + 0.25
    assert m["precision_at_threshold"] >= 0.5 and 0 < quality_model.threshold < 1
    probs = quality_model.predict_proba(pa.array([GOOD, SPAM]))
    assert probs[0] > probs[1]


def test_quality_model_beats_length_on_a_fresh_labeled_sample(quality_model, quality_config):
    """Held-out reference texts against demo-like text of another seed: none of it was seen in training."""
    reference = load_reference(quality_config, settings.SPEC_DIR / "quality")
    held = is_holdout(reference, quality_config.holdout_fraction, quality_config.seed)
    good = [t for t, h in zip(reference, held, strict=True) if h]
    bad = match_lengths(demo_web_texts(seed=99, articles=90, low_quality=30), [len(t) for t in reference], 5)
    labels = np.array([1] * len(good) + [0] * len(bad))
    texts = good + bad
    auc = ngram_model.roc_auc(quality_model.predict_proba(pa.array(texts)), labels)
    by_length = ngram_model.roc_auc(np.array([len(t) for t in texts], dtype=float), labels)
    assert auc >= 0.95 and auc > max(by_length, 1 - by_length) + 0.25, (auc, by_length)


def test_match_lengths_cuts_long_texts_at_a_word_boundary():
    texts = ["one two three four five six seven", "short", "x" * 40]
    cut = match_lengths(texts, [10, 12], seed=1)
    assert cut == match_lengths(texts, [10, 12], seed=1)
    assert cut[1] == "short" and len(cut[2]) in (10, 12)
    assert cut[0] in ("one two", "one two three") and texts[0].startswith(cut[0])


def test_training_is_deterministic_and_the_artifact_round_trips(quality_model):
    table = ngram_model.to_table(quality_model, "quality_v1", {"note": "test"})
    assert table.num_rows == 1 and table.column("model_version")[0].as_py() == quality_model.version
    back = ngram_model.from_table(table)
    assert back.version == quality_model.version
    texts = pa.array([GOOD, SPAM, ""])
    assert np.allclose(back.predict_proba(texts), quality_model.predict_proba(texts))
    assert back.metrics["holdout_roc_auc"] == quality_model.metrics["holdout_roc_auc"]


def test_stored_model_with_other_features_is_refused(quality_model):
    table = ngram_model.to_table(quality_model, "quality_v1")
    table = table.set_column(2, "features_version", pa.array(["hashed_ngrams_v0"]))
    with pytest.raises(ValueError, match="retrain quality_model"):
        ngram_model.from_table(table)


def test_training_needs_both_classes():
    with pytest.raises(ValueError, match="both classes"):
        ngram_model.train(pa.array(["a", "b"]), np.array([1, 1]))


def test_holdout_split_is_stable():
    texts = [f"text {i}" for i in range(1000)]
    held = is_holdout(texts, 0.2, 13)
    assert held.tolist() == is_holdout(texts, 0.2, 13).tolist()
    assert 150 < held.sum() < 250


def test_shipped_reference_set_is_varied_and_clean():
    config = load_config(settings.SPEC_DIR / "quality" / "quality_v1.yaml")
    texts = load_reference(config, settings.SPEC_DIR / "quality")
    assert len(texts) >= 80 and len(set(texts)) == len(texts)
    assert all(60 <= len(t.split()) <= 200 for t in texts)


def test_config_and_reference_errors_name_the_file_and_key(tmp_path):
    bad = tmp_path / "q.yaml"
    bad.write_text("model: q_v1\nreference: [ref/*.jsonl]\nkeep_fraction: 2\n")
    with pytest.raises(ValueError, match=r"q.yaml:\d+: keep_fraction: "):
        load_config(bad)
    good = tmp_path / "good.yaml"
    good.write_text("model: q_v1\nreference: [ref/*.jsonl]\n")
    (tmp_path / "ref").mkdir()
    (tmp_path / "ref" / "a.jsonl").write_text('{"text": "fine"}\n{"txt": "oops"}\n')
    with pytest.raises(
        ValueError, match=r"a.jsonl:2: reference line needs a JSON object with a 'text' field"
    ):
        load_reference(load_config(good), tmp_path)


def test_a_small_class_is_never_missing_from_either_side_of_the_split():
    texts = [f"document number {i}" for i in range(40)]
    labels = np.array([1] * 37 + [0] * 3)
    plain = is_holdout(texts, 0.01, 13)
    held = is_holdout(texts, 0.01, 13, labels)
    for label in (0, 1):
        assert held[labels == label].any() and (~held[labels == label]).any()
    assert (held | ~plain).all()  # only adds to what the hash alone holds out


def test_heldout_auc_has_a_bootstrap_interval_and_a_small_set_is_unreliable():
    from platform_assets.processors.classifiers import heldout

    rng = np.random.default_rng(0)
    small_y = np.r_[np.ones(12, bool), np.zeros(40, bool)]
    small = heldout.auc_report(np.r_[rng.normal(1, 1, 12), rng.normal(0, 1, 40)], small_y)
    big_y = np.r_[np.ones(400, bool), np.zeros(400, bool)]
    big = heldout.auc_report(np.r_[rng.normal(1, 1, 400), rng.normal(0, 1, 400)], big_y)
    assert small["holdout_size"] == 52 and not small["holdout_reliable"]
    assert big["holdout_size"] == 800 and big["holdout_reliable"]
    assert small["holdout_roc_auc_ci_low"] < 0.76 < small["holdout_roc_auc_ci_high"]  # true AUC ~0.76
    assert big["holdout_roc_auc_ci_low"] < 0.76 < big["holdout_roc_auc_ci_high"]
    def width(r):
        return r["holdout_roc_auc_ci_high"] - r["holdout_roc_auc_ci_low"]

    assert width(big) < width(small) / 2
    line = heldout.describe({**small, "holdout_roc_auc": 0.8, "n_holdout_pos": 12, "n_holdout_neg": 40})
    assert "UNRELIABLE" in line and "n=52" in line


def test_trained_model_reports_the_interval_and_size(quality_model):
    m = quality_model.metrics
    assert m["holdout_size"] == m["n_holdout_pos"] + m["n_holdout_neg"]
    assert m["holdout_roc_auc_ci_low"] <= m["holdout_roc_auc"] <= m["holdout_roc_auc_ci_high"]
    assert m["holdout_reliable"] == (min(m["n_holdout_pos"], m["n_holdout_neg"]) >= 30)
