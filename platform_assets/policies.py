"""House policies applied to every asset at load time, so no asset module has to repeat them."""

from __future__ import annotations

from collections.abc import Sequence

import dagster as dg

DEFAULT_OWNERS = ["team:data-platform"]


def apply(assets: Sequence[dg.AssetsDefinition]) -> list[dg.AssetsDefinition]:
    """Every asset gets owners (if it names none) and the `lance` kind (every asset is stored in Lance)."""

    def house(spec: dg.AssetSpec) -> dg.AssetSpec:
        return spec.replace_attributes(
            owners=spec.owners or DEFAULT_OWNERS,
            kinds={*(spec.kinds or set()), "lance"},
        )

    return [a.map_asset_specs(house) if isinstance(a, dg.AssetsDefinition) else a for a in assets]


# Assets that need an optional extra carry this tag (its value names the extra). The daily job, declarative
# automation and `maslow demo` leave them out; they are materialized on request, from the UI or the CLI.
OPTIONAL_TAG = "maslow/optional"


def is_optional(spec: dg.AssetSpec) -> bool:
    return OPTIONAL_TAG in (spec.tags or {})
