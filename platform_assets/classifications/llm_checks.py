"""The LLM path cannot hide an outage: a day whose share of failed requests passes the limit fails (ERROR)."""

import dagster as dg
import lance
import pyarrow as pa
import pyarrow.compute as pc

from platform_assets.classifications.earlier_labels import KEPT_NOTE
from platform_assets.partitions import daily_partitions
from resources import lance_filters
from resources.llm import LLMResource

NOT_ASKED = ("not_sampled", "skipped")


def error_shares(ds: lance.LanceDataset, day: str) -> dict[str, tuple[int, int]]:
    """Per prompt template: (requests that failed in the latest run, documents asked) for `day`."""
    out = {}
    for status in (n for n in ds.schema.names if n.endswith("__status")):
        name = status.removesuffix("__status")
        rows = ds.to_table(columns=[status, f"{name}__error"], filter=lance_filters.compare("day", "=", day))
        asked = pc.invert(pc.is_in(rows.column(status), value_set=pa.array(NOT_ASKED, pa.string())))
        failed = pc.or_kleene(pc.equal(rows.column(status), "request_error"),
                              pc.ends_with(rows.column(f"{name}__error"), KEPT_NOTE))
        out[name] = (int(pc.sum(pc.and_kleene(asked, failed)).as_py() or 0), int(pc.sum(asked).as_py() or 0))
    return out


@dg.asset_check(
    asset=dg.AssetKey("document_classifications"), partitions_def=daily_partitions, blocking=True,
    description="The share of LLM requests that failed in the day's run (earlier labels kept count as "
    "failed) stays under llm.max_error_share (MASLOW_LLM_MAX_ERROR_SHARE, default 0.1).",
)
def llm_error_share(
    context: dg.AssetCheckExecutionContext, llm: LLMResource, document_classifications: lance.LanceDataset
) -> dg.AssetCheckResult:
    limit = llm.effective().max_error_share
    shares = error_shares(document_classifications, context.partition_key)
    over = {n: f / a for n, (f, a) in shares.items() if a and f / a > limit}
    return dg.AssetCheckResult(
        passed=not over, severity=dg.AssetCheckSeverity.ERROR,
        metadata={"max_error_share": limit, **{f"{n}/failed": f for n, (f, _) in shares.items()},
                  **{f"{n}/asked": a for n, (_, a) in shares.items()},
                  "over_limit": ", ".join(f"{n}: {s:.0%}" for n, s in over.items()) or "none"},
    )
