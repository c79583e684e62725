"""House policies applied to every asset at load time, so no asset module has to repeat them."""

from __future__ import annotations

from collections.abc import Sequence

import dagster as dg

DEFAULT_OWNERS = ["team:data-platform"]


def apply(assets: Sequence[dg.AssetsDefinition]) -> list[dg.AssetsDefinition]:
    """Every asset gets owners (if it names none) and the `lance` kind (every asset is stored in Lance); the
    external spec assets (spec_versions: files, not Lance) keep their own kinds."""

    def house(spec: dg.AssetSpec) -> dg.AssetSpec:
        return spec.replace_attributes(
            owners=spec.owners or DEFAULT_OWNERS,
            kinds={*(spec.kinds or set()), "lance"},
        )

    return [a.map_asset_specs(house) if isinstance(a, dg.AssetsDefinition) and a.is_executable else a
            for a in assets]


# Assets that need an optional extra carry this tag (its value names the extra). The daily job, declarative
# automation and `maslow demo` leave them out; they are materialized on request, from the UI or the CLI.
OPTIONAL_TAG = "maslow/optional"


def is_optional(spec: dg.AssetSpec) -> bool:
    return OPTIONAL_TAG in (spec.tags or {})


# Built automatically once, when never materialized and its inputs exist; afterwards only on purpose (the
# quality model: retraining makes every classified day stale; a labeling queue: people are answering it).
# Not `on_missing()`: that only fires for partitions that go missing after automation first looks, so a
# fresh install would never build it. A failed run is not retried tick after tick.
BUILD_ONCE = (
    dg.AutomationCondition.missing()
    & ~dg.AutomationCondition.in_progress()
    & ~dg.AutomationCondition.execution_failed()
    & ~dg.AutomationCondition.any_deps_missing()
    & ~dg.AutomationCondition.any_deps_in_progress()
).with_label("build_once")
