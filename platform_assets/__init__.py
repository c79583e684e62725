"""The platform's Dagster code location; importing it first installs the quiet load path (quiet.py) and
the allocator setting that keeps streaming Lance reads and writes flat (allocator.py)."""

from platform_assets import allocator, quiet

quiet.install()
allocator.install()
