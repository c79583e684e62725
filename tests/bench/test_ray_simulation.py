"""The capped-worker simulation at its CI size: 4 Ray worker processes under the watchdog's cap, and the
local executor's outcome. The CI day (12 MB) is smaller than 3x the cap: `make bench` runs the full size
(bench/ray_simulation.py's defaults: a 192 MB day, 64 MB per worker)."""

import pytest

from bench import ray_simulation
from tests.conftest import require


@pytest.mark.slow
@pytest.mark.integration
def test_capped_workers_end_with_the_local_outcome(maslow_home):
    require("ray", "MASLOW_REQUIRE_RAY")
    figures = ray_simulation.main(["--quick"])
    assert figures["killed"] == [] and figures["worker_peak_growth_mb"] <= figures["cap_mb"]
    assert figures["worker_processes"] >= 4 and figures["buckets"] >= 4
    assert figures["same_summary"], (figures["ray"], figures["local"])
    assert figures["ray"]["dropped/exact_duplicate"] > 0 and figures["ray"]["dropped/near_duplicate"] > 0
