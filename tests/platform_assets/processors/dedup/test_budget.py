import pytest

from platform_assets.processors.dedup.budget import MemoryBudget


def test_the_budget_caps_local_workers_and_sets_the_spill_size():
    budget = MemoryBudget(total_mb=1536, stage_mb=640, worker_mb=400)
    assert budget.workers(16) == 2 and budget.workers(1) == 1 and budget.workers(0) == 0
    assert MemoryBudget(total_mb=8192, stage_mb=640, worker_mb=400).workers(16) == 16
    assert budget.spill_bytes() == 64 << 20
    with pytest.raises(ValueError, match="no room for a worker"):
        MemoryBudget(total_mb=900, stage_mb=640, worker_mb=400).workers(4)
