"""Both executors run the same module-level function over a stream of batches, in order, bounded."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from resources import build_executor
from resources.executor import LocalExecutor, RayExecutor
from tests.resources.worker_probe import heap_keeps_freed_top, worker_state


def double(batch: pa.RecordBatch, factor: int) -> tuple[int, list[int]]:
    """Module level so spawn workers and Ray can import it."""
    return os.getpid(), pc.multiply(batch.column("x"), factor).to_pylist()


def _batches(n: int, consumed: list[int] | None = None):
    for i in range(n):
        if consumed is not None:
            consumed.append(i)
        yield pa.record_batch({"x": [i, i + 100]})


def test_local_pool_preserves_order_runs_in_other_processes_and_is_kept_until_closed():
    executor = LocalExecutor(workers=2)
    results = list(executor.map_batches(double, _batches(12), 3))
    assert [r[1] for r in results] == [[3 * i, 3 * (i + 100)] for i in range(12)]
    workers = {pid for pid, _ in results}
    assert os.getpid() not in workers
    again = list(executor.map_batches(double, _batches(4), 1))
    assert {pid for pid, _ in again} <= workers  # the same processes: their start is paid once
    folder = executor._spool.folder  # the batches travelled as files there, each removed once done
    for _ in range(50):
        if not any(folder.iterdir()):
            break
        time.sleep(0.02)  # the last removal runs on the pool's thread, just after the result is handed over
    assert not any(folder.iterdir())
    executor.teardown_after_execution(None)
    assert executor._pool is None and not folder.exists()


def test_local_workers_import_neither_the_parents_main_module_nor_dagster():
    # pytest's __main__ (a Dagster run's CLI) is not imported again in each worker, nor the resources package
    assert list(LocalExecutor(workers=1).map_batches(worker_state, _batches(1))) == [(False, False)]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_local_workers_keep_freed_heap_for_the_next_batch():
    # allocator.install_pool_worker: a batch's temporaries are not given back and faulted in again
    assert list(LocalExecutor(workers=1).map_batches(heap_keeps_freed_top, _batches(1))) == [True]
    probe = "import platform_assets\nfrom tests.resources.worker_probe import heap_keeps_freed_top as probe\n"
    plain = subprocess.run([sys.executable, "-c", probe + "print(probe(None))"],
                           capture_output=True, text=True, check=True)
    assert plain.stdout.strip() == "False"  # the platform's other processes: glibc's 128 KB trim


def test_inline_executor_runs_in_process():
    results = list(LocalExecutor(workers=0).map_batches(double, _batches(3), 2))
    assert {pid for pid, _ in results} == {os.getpid()}
    assert results[2][1] == [4, 204]


def test_local_pool_bounds_batches_in_flight():
    consumed: list[int] = []
    stream = LocalExecutor(workers=1, max_in_flight=2).map_batches(double, _batches(10, consumed), 1)
    first = next(stream)
    assert first[1] == [0, 100]
    assert len(consumed) == 2  # the input was pulled only as far as the in-flight bound
    stream.close()


def test_build_executor_reads_the_environment(monkeypatch):
    monkeypatch.setenv("MASLOW_EXECUTOR", "local")
    monkeypatch.setenv("MASLOW_WORKERS", "3")
    assert build_executor() == LocalExecutor(workers=3)
    monkeypatch.setenv("MASLOW_EXECUTOR", "ray")
    monkeypatch.setenv("MASLOW_RAY_ADDRESS", "ray://head:10001")
    assert isinstance(build_executor(), RayExecutor) and build_executor().address == "ray://head:10001"
    monkeypatch.setenv("MASLOW_EXECUTOR", "spark")
    with pytest.raises(ValueError, match="MASLOW_EXECUTOR='spark'"):
        build_executor()


def _raw_batches() -> list[pa.RecordBatch]:
    """Three small raw_documents batches that reach every clean stage: filters, C4 edits, PII, language."""
    from platform_assets.cli.demo_data.prose import Prose
    from platform_assets.cli.demo_data.rng import derive
    from platform_assets.processors.filters._samples import CODE, DIALOG, MATH, PROSE, PROSE_LINES

    prose = Prose(derive(5, "executor-test"))
    texts = [prose.article() for _ in range(12)] + [
        PROSE + " Write to ann.lee@example.org or call +1 415 555 2671 from 8.8.8.8.",
        PROSE_LINES + "\nPlease enable JavaScript to see the comments below.",
        "Die Geschichte der Stadt reicht bis ins zwölfte Jahrhundert zurück, als Bauern am Fluss lebten. "
        * 6,
        CODE * 3, MATH, DIALOG, "", PROSE,
    ]
    domains = [None] * 15 + ["code", "math", "dialog", None, None]
    n = len(texts)
    table = pa.table({
        "doc_id": [f"d{i:02d}" for i in range(n)], "source": ["web"] * n,
        "source_id": [str(i) for i in range(n)], "text": texts, "url": [None] * n, "meta": [None] * n,
        "domain": pa.array(domains, pa.string()), "file": ["f.jsonl"] * n, "line": list(range(n)),
        "day": ["2026-01-01"] * n,
    })
    return table.to_batches(max_chunksize=7)


@pytest.mark.integration
def test_ray_and_the_local_pool_give_identical_clean_outcomes(ray_cluster):
    """The real clean-stage task (document processors + dedup keys) on Ray and on the spawn pool."""
    from platform_assets import settings
    from platform_assets.processors.clean_config import FILTERS_FILE
    from platform_assets.processors.dedup.worker import process_batch
    from platform_assets.processors.pipeline import load_clean_config

    config, batches = load_clean_config(settings.spec_dir() / FILTERS_FILE), _raw_batches()
    local = list(LocalExecutor(workers=2).map_batches(process_batch, batches, config, "fineweb"))
    on_ray = list(RayExecutor().map_batches(process_batch, batches, config, "fineweb"))
    assert len(local) == len(on_ray) == 3
    for a, b in zip(local, on_ray, strict=True):
        assert a.kept.equals(b.kept) and a.rejected.equals(b.rejected) and a.counts == b.counts
        for name in ("exact", "keys", "present"):
            assert (getattr(a, name) == getattr(b, name)).all(), name
    counts = sum((Counter(o.counts) for o in local), Counter())
    assert counts["input"] == 20 and counts["kept"] >= 10 and counts["lines_removed"] >= 1
    assert counts["pii_emails"] == counts["pii_phones"] == counts["pii_ips"] == 1
    assert counts["language_id_v1:language_not_allowed"] == 1 and counts["normalize_v1:empty_text"] == 1


@pytest.mark.integration
def test_ray_local_cluster_runs_the_same_function(ray_cluster):
    executor = RayExecutor(max_in_flight=3)
    results = list(executor.map_batches(double, _batches(8), 5))
    assert [r[1] for r in results] == [[5 * i, 5 * (i + 100)] for i in range(8)]
    assert os.getpid() not in {pid for pid, _ in results}
    executor.teardown_after_execution(None)
    assert ray_cluster.is_initialized()  # a cluster the resource did not start is left running


def test_slices_are_compacted_before_they_are_shipped():
    import pickle

    from resources.executor import compact

    table = pa.table({"text": ["x" * 1000] * 10_000})
    part = table.to_batches(max_chunksize=500)[3]
    assert len(pickle.dumps(part)) > 10 * part.nbytes  # what pickling a bare slice costs
    small = compact(part)
    assert small.equals(part) and len(pickle.dumps(small)) < 2 * part.nbytes
    whole = table.combine_chunks().to_batches()[0]
    assert compact(whole) is whole  # nothing copied when there is nothing to save

