"""Materialize raw_media for one day in this process (the media fault test kills it mid-write)."""

import sys

import dagster as dg


def main(day: str) -> int:
    from platform_assets import settings
    from platform_assets.media.raw_media import ingest_raw_media
    from resources.lance_io_manager import LanceIOManager

    result = dg.materialize([ingest_raw_media], partition_key=day,
                            resources={"lance_io_manager": LanceIOManager(root_uri=settings.lake_uri())},
                            run_config={"ops": {"ingest_raw_media": {"config": {"batch_rows": 16}}}})
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
