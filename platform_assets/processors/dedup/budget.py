"""The clean stage's memory budget: how many local workers fit next to the stage process.

Peak RSS of the stage (its process plus the executor's local workers) is about `STAGE_MB + workers *
WORKER_MB`, whatever the partition's size: the stage process holds imports, Lance's read and write buffers,
the two spool buffers and the dedup keys up to `spill_bytes` (then they go to sorted runs on disk and only
the colliding documents stay, ~100 bytes each); a worker holds its imports, the o200k vocabulary and one
task's working memory (the document filters need ~30 times a batch's text). Figures: bench/clean_memory.py.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_BUDGET_MB = 1536


@dataclass(frozen=True)
class MemoryBudget:
    """Peak RSS allowed to the stage process plus its local workers, and the per-process shares measured
    on this code (`docs/scaling.md`, Memory)."""

    total_mb: int = DEFAULT_BUDGET_MB
    stage_mb: int = 640  # stage process: imports ~200 MB, Lance buffers, spools, keys: 503 MB at 1 GB
    worker_mb: int = 320  # one worker at batch_rows=256 (~0.75 MB of text a task): ~300 MB measured

    def workers(self, wanted: int) -> int:
        """Local workers that fit the budget, no more than `wanted` (0: tasks run in the stage process)."""
        fit = (self.total_mb - self.stage_mb) // self.worker_mb
        if fit < 1:
            raise ValueError(f"a clean-stage memory budget of {self.total_mb} MB has no room for a worker: "
                             f"the stage process needs ~{self.stage_mb} MB, "
                             f"a worker ~{self.worker_mb} MB")
        return min(wanted, fit)

    def spill_bytes(self) -> int:
        """Dedup keys held before they spill: a tenth of the stage process's share."""
        return (self.stage_mb << 20) // 10
