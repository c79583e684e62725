"""Smoke run of bench/clean_throughput's own side on a tiny demo corpus (datatrove is bench-only)."""

import pyarrow.parquet as pq
import pytest

from bench import clean_throughput as ct


@pytest.mark.slow  # about 15 s on 2 busy cores: demo generation and process start-up
def test_corpus_and_our_side(maslow_home):
    paths = ct.corpus(mb=1, workers=1)
    assert len(paths) == ct.SHARDS_PER_WORKER
    rows = sum(pq.ParquetFile(p).metadata.num_rows for p in paths)
    domains = set(pq.read_table(paths[0], columns=["domain"]).column("domain").to_pylist())
    assert {None, "prose", "code"} <= domains
    run = ct.run_ours([str(p) for p in paths], workers=1)
    assert run["dedup"] is True  # processors/dedup is part of the project
    assert run["docs"] == rows and 0 < run["kept"] < rows
    assert run["seconds"] > 0 and run["cpu_seconds"] > 0 and run["peak_rss_mb"] > 0
