"""Summary: the metadata of a classifications day taken a batch at a time, in bounded memory."""

import numpy as np
import pyarrow as pa

from platform_assets.processors.classifiers.summary import Summary, summarize


def _table(n: int) -> pa.Table:
    rng = np.random.default_rng(1)
    return pa.table({
        "doc_id": [f"d{i}" for i in range(n)],
        "label__x": rng.choice(["a", "b", "c", None], n).tolist(),
        "score__q": pa.array([None if i % 7 == 0 else float(v) for i, v in enumerate(rng.random(n))]),
        "score__quality_v1": rng.random(n), "x__steps": rng.integers(0, 9, n),
    })


def test_batches_summarize_as_the_whole_day_does():
    table = _table(3000)
    whole = summarize(table, 0.5)
    summary = Summary(table.column_names, 0.5)
    for batch in table.to_batches(max_chunksize=128):
        summary.update(batch)
    assert summary.metadata() == whole
    assert whole["classifications/score__q"]["n"] == 3000 - 429
    assert sum(whole["classifications/label__x"].values()) == 3000
    values = table.column("score__quality_v1").to_numpy()
    assert whole["classifications/score__quality_v1"]["p50"] == round(float(np.quantile(values, 0.5)), 4)


def test_quantiles_of_a_day_larger_than_the_sample_come_from_a_bounded_uniform_sample():
    table = _table(20_000)
    summary = Summary(table.column_names, 0.5, sample=1000)
    for batch in table.to_batches(max_chunksize=500):
        summary.update(batch)
        assert all(s.hashes.size <= 2000 for s in summary.samples.values())
    meta, exact = summary.metadata(), summarize(table, 0.5)
    for name in ("score__q", "score__quality_v1"):
        got, want = meta[f"classifications/{name}"], exact[f"classifications/{name}"]
        assert (got["n"], got["mean"]) == (want["n"], want["mean"])
        assert all(abs(got[p] - want[p]) < 0.05 for p in ("p10", "p50", "p90"))
    reordered = Summary(table.column_names, 0.5, sample=1000)
    for batch in table.take(np.random.default_rng(2).permutation(20_000)).to_batches(max_chunksize=700):
        reordered.update(batch)
    assert reordered.metadata()["classifications/score__q"] == meta["classifications/score__q"]
