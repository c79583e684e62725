"""The one Definitions object; workspace.yaml points here. No logic: each group folder is loaded whole."""

import dagster as dg

import schedules
from platform_assets import (
    analytics,
    classifications,
    clean,
    eval_sets,
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
}

_assets = policies.apply(
    [a for name, pkg in _GROUPS.items() for a in dg.load_assets_from_package_module(pkg, group_name=name)]
)

defs = dg.Definitions(
    **schedules.build(_assets),
    asset_checks=[c for pkg in _GROUPS.values() for c in dg.load_asset_checks_from_package_module(pkg)],
    resources=build_resources(),
)
