"""bench/mixture.py's plumbing: the child that materializes, and the targets block (no timing here)."""

import pytest

from bench import mixture as bench


def test_materialize_child_reports_its_figures(maslow_home):
    lake, specs = maslow_home / "lake", maslow_home / "specs"
    bench.write_spec(specs, bench.make_lake(lake, 3_000))
    figures = bench.materialize(lake, specs, timeout_s=300)
    assert figures["samples"] > 2_900 and figures["tokens"] > 0 and figures["peak_rss_mb"] > 0


def test_a_child_that_dies_or_hangs_is_an_error_not_a_wait(maslow_home):
    (maslow_home / "specs" / "mixtures").mkdir(parents=True)  # no bench.yaml: the child's run fails
    with pytest.raises(RuntimeError, match="exited with code 1 without a result"):
        bench.materialize(maslow_home / "lake", maslow_home / "specs", timeout_s=300)
    with pytest.raises(TimeoutError, match="no result in 0.5 s"):
        bench.materialize(maslow_home / "lake", maslow_home / "specs", timeout_s=0.5)


@pytest.mark.parametrize("lance_take, met", [(1_000.0, True), (999.0, False)])
def test_random_access_target_is_ten_times_the_faster_parquet(lance_take, met):
    found = bench.targets({"lance_take": lance_take, "parquet_default": 20.0, "parquet_rg8k": 100.0})
    assert found["random_access_vs_best_parquet"]["met"] is met
    assert found["random_access_vs_best_parquet"]["value"] == round(lance_take / 100, 1)
