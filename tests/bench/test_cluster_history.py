"""bench.cluster_history at a tiny size: the band step gives the same edges and hits with the history looked
up in the runs as streamed, and only the planted matches' entries are looked up. No timing asserts."""

from __future__ import annotations

import json

from bench import cluster_history


def test_tiny_run_finds_the_planted_matches_both_ways(maslow_home):
    cluster_history.main(["--docs", "300", "--checkpoints", "1,3"])
    figures = json.loads((maslow_home / "bench" / "cluster_history.json").read_text())
    for days, result in figures["checkpoints"].items():
        assert result["same_edges_and_hits"] and result["hits"] > 0
        assert result["history_rows"] == 300 * int(days)
        assert 0 < result["history_entries_looked_up"] <= 3 * 7  # 1% of 300 documents, 7 bands each
        assert result["history_bytes_lookup"] < result["history_bytes_scan"]
