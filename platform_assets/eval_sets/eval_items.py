"""`eval_items` and `eval_item_errors`: one static partition per eval-set YAML of the catalog."""

import dagster as dg
import pyarrow as pa
import pyarrow.compute as pc

from platform_assets import spec_isolation as isolation
from platform_assets.eval_sets import catalog
from platform_assets.eval_sets.items import build_items

EVAL_SET_COLUMN = "eval_set"
MAX_QUARANTINED_SHARE = 0.2
EVAL_SET_METADATA = {"partition_expr": EVAL_SET_COLUMN}
eval_sets = isolation.SpecFamily(catalog.FOLDER, catalog.load_spec)
eval_set_partitions = eval_sets.partitions_def()


@dg.multi_asset(
    outs={
        "eval_items": dg.AssetOut(
            io_manager_key="lance_io_manager", metadata={**EVAL_SET_METADATA, **eval_sets.metadata()},
            kinds={"python"},
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
    check_specs=[dg.AssetCheckSpec(
        "items_usable", asset="eval_items",
        description=f"the eval set yields valid items and at most {MAX_QUARANTINED_SHARE:.0%} of its records "
                    "are quarantined (a field mapped to a misspelled column quarantines them all)")],
)
def eval_items(context: dg.AssetExecutionContext):
    """Reads, validates and normalises one eval set; invalid items go to `eval_item_errors`."""
    spec = eval_sets.spec(context.partition_key)
    items, errors = build_items(spec)
    reasons = errors.group_by("reason").aggregate([("reason", "count")]).to_pylist()
    yield dg.Output(items, output_name="eval_items", metadata={
        "items": items.num_rows, "quarantined": errors.num_rows, "task": spec.task, "split": spec.split,
        "file": str(spec.path), "canary": spec.canary is not None,
        "quarantined_by_reason": dg.MetadataValue.table(
            [dg.TableRecord({"reason": r["reason"], "records": r["reason_count"]}) for r in reasons],
            schema=dg.TableSchema([dg.TableColumn("reason", "string"), dg.TableColumn("records", "int")])),
    })
    yield dg.Output(errors, output_name="eval_item_errors")
    yield usable_check(spec, items.num_rows, errors.num_rows)


def usable_check(spec: catalog.EvalSetSpec, items: int, quarantined: int) -> dg.AssetCheckResult:
    """ERROR when no item is valid or too large a share is quarantined: such an eval set would silently
    decontaminate nothing."""
    share = quarantined / max(items + quarantined, 1)
    problem = (f"{spec.spec_path}: no valid item out of {quarantined} records; check `fields` against the "
               f"columns of {spec.file}" if items == 0 else
               f"{spec.spec_path}: {share:.0%} of the records are quarantined (limit "
               f"{MAX_QUARANTINED_SHARE:.0%}); see eval_item_errors" if share > MAX_QUARANTINED_SHARE else "")
    return dg.AssetCheckResult(
        check_name="items_usable", asset_key="eval_items", passed=not problem,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"items": items, "quarantined": quarantined, "quarantined_share": round(share, 4),
                  **({"problem": problem} if problem else {})})


def item_counts(items: pa.Table) -> dict[str, int]:
    """Items per eval set."""
    counts = pc.value_counts(items.column(EVAL_SET_COLUMN).combine_chunks()).to_pylist()
    return {c["values"]: c["counts"] for c in counts}
