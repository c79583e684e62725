"""The capped-worker simulation at its CI size: a day 3x each worker's memory cap, on 4 Ray worker processes,
ends with the local executor's outcome (bench/ray_simulation.py runs the full size in `make bench`)."""

import pytest

from bench import ray_simulation


@pytest.mark.slow
@pytest.mark.integration
def test_a_day_three_times_the_worker_cap_matches_the_local_run(maslow_home):
    pytest.importorskip("ray")
    figures = ray_simulation.main(["--quick"])
    assert figures["killed"] == [] and figures["worker_peak_growth_mb"] <= figures["cap_mb"]
    assert figures["day_text_mb"] >= 3 * figures["cap_mb"]
    assert figures["worker_processes"] >= 4 and figures["buckets"] >= 4
    assert figures["same_summary"], (figures["ray"], figures["local"])
    assert figures["ray"]["dropped/exact_duplicate"] > 0 and figures["ray"]["dropped/near_duplicate"] > 0
