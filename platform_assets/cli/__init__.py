"""The tools wing: the `maslow` command, demo, backfill, lineage commands and the demo-data generator.

Nothing that Dagster loads imports this package; it imports the definitions, never the other way round.
"""
