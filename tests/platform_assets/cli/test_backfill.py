"""`maslow backfill`: per-day runs for the daily chain, one run for a range of the single-run SQL models."""

from __future__ import annotations

from datetime import date, timedelta

import dagster as dg
import pytest

from platform_assets import settings
from platform_assets.cli import backfill
from platform_assets.cli import main as cli
from platform_assets.cli.demo_data import generate
from platform_assets.cli.runner import spans

END = date.today() - timedelta(days=1)
DAYS = [(END - timedelta(days=d)).isoformat() for d in (1, 0)]


def runs(asset: str) -> dict[str, str]:
    """partition -> run id of its latest materialization."""
    with dg.DagsterInstance.get() as instance:
        records = instance.fetch_materializations(dg.AssetKey(asset), limit=1000).records
    out: dict[str, str] = {}
    for r in reversed(records):  # newest first from Dagster: keep the newest per partition
        out[r.partition_key] = r.run_id
    return out


def test_spans_group_consecutive_days():
    d = [(END - timedelta(days=n)).isoformat() for n in (4, 3, 1, 0)]
    assert [(s.start, s.end) for s in spans(list(reversed(d)))] == [(d[0], d[1]), (d[2], d[3])]
    with pytest.raises(ValueError, match="not daily partitions"):
        spans([date.today().isoformat()])


def test_days_between_names_the_valid_range():
    assert backfill.days_between(END - timedelta(days=1), END) == DAYS
    with pytest.raises(ValueError, match="outside the daily partitions"):
        backfill.days_between(date.today(), date.today())
    with pytest.raises(ValueError, match="before start"):
        backfill.days_between(END, END - timedelta(days=1))


@pytest.mark.slow
def test_backfill_two_days(maslow_home, capsys):
    generate(settings.landing_dir(), days=2, seed=3, docs_per_day=300, end_date=END)
    assert cli.main(["backfill", DAYS[0], DAYS[1]]) == 0
    assert f"backfilled {DAYS[0]}..{DAYS[1]} (2 days)" in capsys.readouterr().out
    clean, tokens = runs("clean_documents"), runs("corpus_by_source_domain_language")
    assert sorted(clean) == sorted(tokens) == DAYS
    assert len(set(clean.values())) == 2  # a run per day for the daily chain
    assert len(set(tokens.values())) == 1  # one run for the range: single-run backfill policy
    eval_runs = runs("eval_items")
    assert eval_runs  # missing on a fresh lake, so the backfill built it
    assert cli.main(["backfill", DAYS[1]]) == 0
    assert runs("eval_items") == eval_runs  # not downstream of the daily assets: left alone
    again = runs("clean_documents")
    assert again[DAYS[0]] == clean[DAYS[0]] and again[DAYS[1]] != clean[DAYS[1]]
    assert cli.main(["backfill", date.today().isoformat()]) == 2


def test_a_day_without_landed_files_is_skipped_with_a_warning(maslow_home, capsys):
    day = "2026-01-02"
    assert cli.main(["backfill", day]) == 1
    assert capsys.readouterr().out.startswith(f"maslow backfill: warning: no landed files for {day} under ")
    assert backfill.without_files([day]) == [day]
    (settings.landing_dir() / "web" / day).mkdir(parents=True)
    (settings.landing_dir() / "web" / day / "a.jsonl").write_text('{"id": 1, "text": "x"}\n')
    assert backfill.without_files([day]) == []
