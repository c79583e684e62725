"""The platform's Dagster code location; importing it first installs the quiet load path (quiet.py)."""

from platform_assets import quiet

quiet.install()
