"""`eval_items` and `eval_item_errors`: one static partition per eval-set YAML of the catalog."""

import dagster as dg
import pyarrow as pa
import pyarrow.compute as pc

from platform_assets import partitions
from platform_assets.eval_sets import catalog
from platform_assets.eval_sets.items import build_items

EVAL_SET_COLUMN = "eval_set"
EVAL_SET_METADATA = {"partition_expr": EVAL_SET_COLUMN}
eval_set_partitions = partitions.spec_partitions(catalog.FOLDER)


@dg.multi_asset(
    outs={
        "eval_items": dg.AssetOut(
            io_manager_key="lance_io_manager", metadata=EVAL_SET_METADATA, kinds={"python"},
            description="One benchmark item of one eval set: id, question/prompt, choices, answer, context, "
                        "tests, canary and the text indexed for decontamination.",
        ),
        "eval_item_errors": dg.AssetOut(
            io_manager_key="lance_io_manager", metadata=EVAL_SET_METADATA, kinds={"python"},
            description="One quarantined eval item: source line, reason code, detail and the raw record.",
        ),
    },
    partitions_def=eval_set_partitions,
    code_version=catalog.catalog_version(),
)
def eval_items(context: dg.AssetExecutionContext):
    """Reads, validates and normalises one eval set; invalid items go to `eval_item_errors`."""
    spec = catalog.load_spec(catalog.catalog_dir() / f"{context.partition_key}.yaml")
    items, errors = build_items(spec)
    reasons = errors.group_by("reason").aggregate([("reason", "count")]).to_pylist()
    context.add_output_metadata({
        "items": items.num_rows, "quarantined": errors.num_rows, "task": spec.task, "split": spec.split,
        "file": str(spec.path), "canary": spec.canary is not None,
        **{f"quarantined/{r['reason']}": r["reason_count"] for r in reasons},
    }, output_name="eval_items")
    return items, errors


def item_counts(items: pa.Table) -> dict[str, int]:
    """Items per eval set."""
    counts = pc.value_counts(items.column(EVAL_SET_COLUMN).combine_chunks()).to_pylist()
    return {c["values"]: c["counts"] for c in counts}
