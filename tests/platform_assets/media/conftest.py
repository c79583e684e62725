"""One media lake for the media asset and loader tests: the demo's planted media over three days (one landing
format each) through raw_media and clean_media, built once per session."""

from __future__ import annotations

import dagster as dg
import pytest

from platform_assets.cli.demo_data.media_writer import write_media
from platform_assets.media.clean_media import clean_media_stage
from platform_assets.media.raw_media import ingest_raw_media
from resources.lance_io_manager import LanceIOManager
from tests.platform_assets.conftest import at_home

DAYS = ["2026-02-01", "2026-02-02", "2026-02-03"]


@pytest.fixture(scope="session")
def media_lake(tmp_path_factory):
    """(truth, home): the planted items by source, and the MASLOW_HOME holding `landing/` and `lake/`.
    MASLOW_HOME points there only while it is built: a module that builds more on it sets it again."""
    with at_home(tmp_path_factory.mktemp("maslow_media")) as home:
        truth = write_media(home / "landing", DAYS, seed=3)
        io = LanceIOManager(root_uri=str(home / "lake"))
        for day in DAYS:
            result = dg.materialize([ingest_raw_media, clean_media_stage], partition_key=day,
                                    resources={"lance_io_manager": io})
            assert result.success
            assert all(c.passed for c in result.get_asset_check_evaluations())  # a few broken files: no ERROR
    return truth, home
