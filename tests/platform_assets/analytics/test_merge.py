"""Mergeable daily statistics: merging the daily rows of two days equals the model run over both."""

import math

import pyarrow as pa
import pytest

from platform_assets import settings
from platform_assets.analytics.merge import Merge, merge_days
from platform_assets.analytics.sql_models import load_models
from resources.duckdb_engine import DuckDBEngine
from tests.platform_assets.analytics import small_lake

DAILY = [m for m in load_models(settings.SPEC_DIR / "analytics") if m.header.partitioning == "daily"]


def _run(engine, model, day):
    return engine.query(model.sql, ref_filters={r: f"day = '{day}'" for r in model.refs
                                                 if r not in ("eval_items",)}).read_all()


def _rows(table, keys):
    rows = [{k: v for k, v in r.items() if k != "day"} for r in table.to_pylist()]
    return sorted(rows, key=lambda r: tuple(str(r[k]) for k in keys))


@pytest.mark.parametrize("model", DAILY, ids=lambda m: m.name)
def test_merging_two_days_equals_the_model_over_both(tmp_path, model):
    days = small_lake.DAYS[:2]
    small_lake.write(tmp_path / "daily", days=days)
    small_lake.write(tmp_path / "both", days=days, relabel="both")  # the same rows, as one day
    daily = DuckDBEngine(root_uri=str(tmp_path / "daily"))
    both = DuckDBEngine(root_uri=str(tmp_path / "both"))
    per_day = pa.concat_tables([_run(daily, model, d) for d in days])
    assert set(per_day.column("day").to_pylist()) == set(days)
    merged = merge_days(per_day, model.header.merge, model.header.grain)
    direct = _run(both, model, "both")
    keys = [k for k in model.header.grain if k != "day"]
    got, want = _rows(merged.select(direct.drop_columns("day").column_names), keys), _rows(direct, keys)
    assert len(got) == len(want) > 0
    for g, w in zip(got, want, strict=True):
        for column, value in w.items():
            if isinstance(value, float):
                assert math.isclose(g[column], value, rel_tol=1e-9), (model.name, column, g, w)
            else:
                assert g[column] == value, (model.name, column, g, w)


def test_every_daily_model_declares_how_each_column_merges():
    for model in DAILY:
        assert model.header.merge is not None, model.name
        assert "day" in model.header.grain, model.name


def test_ratios_and_shares_must_come_from_summed_columns():
    with pytest.raises(ValueError, match=r"ratio.mean: \['n'\] must be listed under sum"):
        Merge(sum=["tokens"], ratio={"mean": ("tokens", "n")})
    with pytest.raises(ValueError, match="share.s: 'n' must be listed under sum"):
        Merge(sum=["tokens"], share={"s": {"of": "n"}})


def test_an_undeclared_column_is_named():
    table = pa.table({"day": ["d"], "k": ["a"], "n": [1], "stray": [2.0]})
    with pytest.raises(ValueError, match=r"\['stray'\] are neither in the grain nor under merge"):
        merge_days(table, Merge(sum=["n"]), ["day", "k"])
