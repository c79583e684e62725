"""Run the daily chain for one day in this process (the fault test kills it mid-way)."""

import sys

import dagster as dg


def main(day: str) -> int:
    from platform_assets.cli.dagster_home import ensure_dagster_home
    from platform_assets.definitions import defs
    from platform_assets.settings import dagster_home

    ensure_dagster_home(dagster_home())
    with dg.DagsterInstance.get() as instance:
        result = defs.resolve_job_def("daily_refresh").execute_in_process(
            partition_key=day, instance=instance,
            run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}},
        )
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
