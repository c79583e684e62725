"""Partitions shared by the asset graph."""

from __future__ import annotations

import dagster as dg

from platform_assets import settings

# One partition is one day of landed data; the column `day` (YYYY-MM-DD string) holds the key. Days are cut
# in MASLOW_TIMEZONE, the nightly schedule's zone: a day is a partition once it has ended there.
DAY_COLUMN = "day"
daily_partitions = dg.DailyPartitionsDefinition(
    start_date=settings.start_date(), timezone=settings.timezone()
)
DAILY_METADATA = {"partition_expr": DAY_COLUMN}


def spec_partitions(folder: str) -> dg.StaticPartitionsDefinition:
    """One static partition per `dbt_like_sql/<folder>/*.yaml` file: adding a file adds a partition."""
    names = sorted(p.stem for p in (settings.spec_dir() / folder).glob("*.yaml"))
    return dg.StaticPartitionsDefinition(names or ["__none__"])


# One partition per labeling queue (`dbt_like_sql/labeling/<queue>.yaml`); rows carry the name in `queue`.
queue_partitions = spec_partitions("labeling")
QUEUE_METADATA = {"partition_expr": "queue"}
