"""Sampling slices, strata, overlap and the task rows built from them."""

from __future__ import annotations

from collections import Counter

import pyarrow as pa
import pytest

from platform_assets.processors.labeling import sampling, tasks


def candidates(n: int = 200) -> pa.Table:
    rows = [
        {
            "item_id": f"d{i:03d}",
            "text": f"text {i}",
            "source": ["web", "forum"][i % 2],
            "domain": "prose",
            "day": f"2026-01-0{1 + i % 3}",
            "score": i / n,
            "threshold": 0.5,
            "model_version": "m1",
            "a": i % 7 == 0,
            "b": False,
        }
        for i in range(n)
    ]
    return pa.Table.from_pylist(rows)


PLAN = sampling.Plan(
    size=40,
    seed=1,
    random=0.25,
    uncertainty=0.5,
    disagreement=0.1,
    disagreement_columns=("a", "b"),
    strata=("source", "day"),
    overlap_fraction=0.5,
)


def test_slices_have_their_shares_and_no_item_twice():
    table = candidates()
    rows, names = sampling.select(table, PLAN)
    assert len(rows) == 40 and len(set(rows.tolist())) == 40
    assert Counter(names) == {"random": 10, "uncertainty": 20, "disagreement": 4, "stratified": 6}


def test_uncertainty_takes_scores_nearest_the_threshold_across_strata():
    table = candidates()
    rows, names = sampling.select(table, PLAN)
    scores = table.column("score").to_numpy()
    picked = [abs(scores[r] - 0.5) for r, s in zip(rows, names, strict=True) if s == "uncertainty"]
    random_rows = {int(r) for r, s in zip(rows, names, strict=True) if s == "random"}
    nearest = sorted((abs(scores[i] - 0.5), i) for i in range(len(scores)) if i not in random_rows)
    assert max(picked) <= nearest[26][0]  # round-robin over 6 strata may skip a few of the very nearest
    strata = sampling.strata_of(table, PLAN.strata)
    assert len({strata[r] for r, s in zip(rows, names, strict=True) if s == "uncertainty"}) == 6


def test_disagreement_only_where_the_labels_differ():
    table = candidates()
    rows, names = sampling.select(table, PLAN)
    assert all(
        table.column("a")[int(r)].as_py() for r, s in zip(rows, names, strict=True) if s == "disagreement"
    )


def test_a_short_slice_leaves_its_share_to_the_next():
    table = candidates().drop_columns(["a"])
    _, names = sampling.select(table, PLAN)
    assert "disagreement" not in names and len(names) == 40


def test_same_seed_same_tasks_other_seed_other_random_slice():
    table = candidates()
    first, _ = sampling.select(table, PLAN)
    again, _ = sampling.select(table, PLAN)
    other, names = sampling.select(table, sampling.Plan(**{**PLAN.__dict__, "seed": 2}))
    assert first.tolist() == again.tolist()
    assert set(first[:10].tolist()) != set(other[:10].tolist())


def test_overlap_groups_and_task_rows():
    table = tasks.build_tasks(candidates(), "q", PLAN, "h", above="high", below="low")
    assert table.num_rows == 40 and table.schema == tasks.TASK_SCHEMA
    groups = [g for g in table.column("overlap_group").to_pylist() if g is not None]
    assert sorted(groups) == list(range(20))
    required = table.column("required_annotations").to_pylist()
    assert Counter(required) == {2: 20, 1: 20}
    row = table.to_pylist()[0]
    assert row["suggestion_label"] == ("high" if row["suggestion_score"] >= 0.5 else "low")
    assert row["model_version"] == "m1" and row["stratum"].startswith("source=")
    assert row["task_id"] == tasks.task_id("q", row["item_id"])


def test_duplicate_items_are_refused():
    table = candidates(10)
    with pytest.raises(ValueError, match="more than once"):
        tasks.build_tasks(pa.concat_tables([table, table]), "q", PLAN, "h")
