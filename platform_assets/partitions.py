"""Partitions shared by the asset graph."""

from __future__ import annotations

import dagster as dg

from platform_assets import settings
from platform_assets import spec_isolation as isolation
from platform_assets.labeling import spec as queue_specs

# One partition is one day of landed data; the column `day` (YYYY-MM-DD string) holds the key. Days are cut
# in MASLOW_TIMEZONE, the nightly schedule's zone: a day is a partition once it has ended there.
DAY_COLUMN = "day"
daily_partitions = dg.DailyPartitionsDefinition(
    start_date=settings.start_date(), timezone=settings.timezone()
)
DAILY_METADATA = {"partition_expr": DAY_COLUMN}


# One partition per labeling queue (`dbt_like_sql/labeling/<queue>.yaml`); rows carry the name in `queue`.
# A broken queue spec keeps its partition: its runs fail with the validation message (`spec_errors`).
queues = isolation.SpecFamily(queue_specs.SPEC_FOLDER, queue_specs.load_queue)
queue_partitions = queues.partitions_def()
QUEUE_METADATA = {"partition_expr": "queue", **queues.metadata()}
