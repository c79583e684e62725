"""The one Definitions object; workspace.yaml points here. No logic: each group folder is loaded whole.

The resources are bound to the settings (MASLOW_HOME, MASLOW_LAKE...) of the moment Definitions are built:
`defs` is what Dagster loads; a CLI command calls `build_defs()` so it writes to the lake its environment
names now, never to the one of whoever imported this module first.
"""

import dagster as dg

import schedules
from platform_assets import (
    analytics,
    classifications,
    clean,
    eval_sets,
    labeling,
    media,
    mixtures,
    policies,
    synthetics,
)
from resources import build_resources

_GROUPS = {
    "clean": clean,
    "eval_sets": eval_sets,
    "classifications": classifications,
    "mixtures": mixtures,
    "analytics": analytics,
    "synthetics": synthetics,
    "media": media,
    "labeling": labeling,
}

_assets = policies.apply(
    [a for name, pkg in _GROUPS.items() for a in dg.load_assets_from_package_module(pkg, group_name=name)]
)

_checks = [c for pkg in _GROUPS.values() for c in dg.load_asset_checks_from_package_module(pkg)]


def build_defs() -> dg.Definitions:
    """The assets, checks, jobs, schedules and sensors with resources built from the current settings."""
    return dg.Definitions(**schedules.build(_assets), asset_checks=_checks, resources=build_resources())


defs = build_defs()
