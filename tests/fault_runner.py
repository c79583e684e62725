"""Run the daily chain for one day in this process (the fault test kills it mid-way); with `--die-after
OUTPUT`, ingest and clean the day and die by SIGKILL right after the clean stage commits OUTPUT."""

import os
import signal
import sys

import dagster as dg

from resources.lance_io_manager import LanceIOManager


class DyingIO(LanceIOManager):
    """Kills its own process (kill -9) right after committing `die_after`."""

    die_after: str = ""

    def handle_output(self, context, obj):
        super().handle_output(context, obj)
        if context.asset_key.path[-1] == self.die_after:
            os.kill(os.getpid(), signal.SIGKILL)


def main(day: str, die_after: str | None = None) -> int:
    from platform_assets import settings
    from platform_assets.clean.clean_documents import clean_stage
    from platform_assets.clean.raw_documents import ingest_raw_documents
    from platform_assets.cli.dagster_home import ensure_dagster_home
    from platform_assets.cli.orphans import run_tags
    from resources.executor import LocalExecutor

    ensure_dagster_home(settings.dagster_home())
    with dg.DagsterInstance.get() as instance:
        if die_after:
            result = dg.materialize(
                [ingest_raw_documents, clean_stage], partition_key=day, instance=instance, tags=run_tags(),
                resources={"lance_io_manager": DyingIO(root_uri=settings.lake_uri(), die_after=die_after),
                           "executor": LocalExecutor(workers=0)})
        else:
            from platform_assets.definitions import defs

            result = defs.resolve_job_def("daily_refresh").execute_in_process(
                partition_key=day, instance=instance,
                run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}},
            )
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[3] if sys.argv[2:3] == ["--die-after"] else None))
