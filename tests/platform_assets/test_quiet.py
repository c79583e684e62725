"""Loading the platform stays quiet (platform_assets/quiet.py): building the definitions, the SQL models
(Dagster's BetaWarning on `backfill_policy`) and resolving every job (the `daily_refresh` BackfillPolicy
notice, the labels job's deprecated `partitions_def`) warns about nothing; the spool creates its dataset
instead of overwriting a missing one (Lance's `WARN ... it will be created`)."""

import subprocess
import sys
import warnings
from pathlib import Path

from platform_assets import quiet


def test_building_and_resolving_the_definitions_warns_about_nothing():
    from platform_assets.analytics.sql_models import build_all
    from platform_assets.definitions import build_defs

    with warnings.catch_warnings(record=True) as caught:
        warnings.resetwarnings()  # pytest's own ignores (pyproject) must not hide anything here
        warnings.simplefilter("always")
        quiet.install()
        build_all()
        defs = build_defs()
        defs.resolve_all_job_defs()
    assert [f"{w.category.__name__}: {w.message}" for w in caught] == []


def test_only_those_notices_are_hidden():
    with warnings.catch_warnings(record=True) as caught:
        warnings.resetwarnings()
        warnings.simplefilter("always")
        quiet.install()
        for message in ("Asset job daily_refresh materializes assets with varying BackfillPolicies. ...",
                        "Parameter `x` of function `asset` is currently in beta, and may have breaking ...",
                        "Asset job other_job materializes assets with varying BackfillPolicies. ...",
                        "a spec problem: dbt_like_sql/sources.yaml:3: sources: ..."):
            warnings.warn(message, stacklevel=1)
    assert [str(w.message)[:18] for w in caught] == ["Asset job other_jo", "a spec problem: db"]


def test_a_new_spool_creates_its_dataset_without_a_lance_warning(tmp_path):
    code = ("import pyarrow as pa; from platform_assets.processors.dedup.spool import Spool; "
            f"s = Spool({str(tmp_path / 'spool.lance')!r}); s.add(pa.table({{'a': [1, 2]}})); s.flush(); "
            "s.add(pa.table({'a': [3]})); s.flush(); print(s.reader().read_all().num_rows)")
    env = {"PATH": "/usr/bin:/bin", "LANCE_LOG": "warn", "PYTHONPATH": "."}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "3"
    assert "it will be created" not in done.stderr and "WARN" not in done.stderr
