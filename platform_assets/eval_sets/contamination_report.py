"""`contamination_report`: per eval set, the share of its items found in training data, per day and total."""

import dagster as dg
import lance
import pyarrow as pa
import pyarrow.compute as pc

from platform_assets.eval_sets.eval_items import item_counts

TOTAL = "total"
REPORT_SCHEMA = pa.schema([
    ("eval_set", pa.string()), ("day", pa.string()), ("items", pa.int64()),
    ("contaminated_items", pa.int64()), ("share", pa.float64()), ("docs_dropped", pa.int64()),
    ("docs_cut", pa.int64()), ("canary_docs", pa.int64()), ("preset", pa.string()),
])


@dg.asset(
    ins={
        "contamination": dg.AssetIn(),
        "eval_items": dg.AssetIn(metadata={"columns": ["eval_set", "item_id"]}),
    },
    io_manager_key="lance_io_manager",
    kinds={"python"},
)
def contamination_report(
    context: dg.AssetExecutionContext, contamination: lance.LanceDataset, eval_items: pa.Table,
) -> pa.Table:
    """One (eval set, day) with the share of the set's items whose n-grams occur in that day's clean
    documents and the decontamination preset that found them; day = 'total' counts distinct items over
    all days."""
    columns = ["doc_id", "day", "eval_set", "item_id", "action", "preset"]
    report = build_report(contamination.to_table(columns=columns), item_counts(eval_items))
    rows = report.to_pylist()
    shares: dict[str, dict[str, float]] = {}
    for r in rows:
        shares.setdefault(r["eval_set"], {})[r["day"]] = r["share"]
    context.add_output_metadata({
        **{f"share/{r['eval_set']}": r["share"] for r in rows if r["day"] == TOTAL},
        "share_per_day": dg.MetadataValue.json(shares),
        "preset": next((r["preset"] for r in rows if r["day"] == TOTAL), "") or "none",
        "report": dg.MetadataValue.md(to_markdown(report.filter(pc.equal(report["day"], TOTAL)))),
    })
    return report


def _stats(rows: pa.Table, items: int) -> dict:
    hits = rows.filter(pc.is_valid(rows["item_id"]))
    contaminated = hits.group_by(["item_id"]).aggregate([]).num_rows
    docs = rows.group_by(["doc_id", "action"]).aggregate([])
    canary = rows.filter(pc.is_null(rows["item_id"])).group_by(["doc_id"]).aggregate([]).num_rows
    actions = docs.column("action").to_pylist()
    return {"items": items, "contaminated_items": contaminated,
            "share": round(contaminated / items, 6) if items else 0.0,
            "docs_dropped": actions.count("drop"), "docs_cut": actions.count("cut"), "canary_docs": canary}


def _presets(contamination: pa.Table) -> dict[str, str]:
    """Day -> the preset(s) its rows were found with (a day's partition is checked with one preset), and
    'total' -> every preset of the table, comma-separated."""
    pairs = contamination.group_by(["day", "preset"]).aggregate([]).to_pylist()
    by_day: dict[str, set[str]] = {TOTAL: set()}
    for p in pairs:
        by_day.setdefault(p["day"], set()).add(p["preset"])
        by_day[TOTAL].add(p["preset"])
    return {day: ",".join(sorted(names - {None})) for day, names in by_day.items()}


def build_report(contamination: pa.Table, items: dict[str, int]) -> pa.Table:
    """Rows of REPORT_SCHEMA: every eval set gets a total row, and a row per day it was found in."""
    out, presets = [], _presets(contamination)
    for eval_set in sorted(items):
        rows = contamination.filter(pc.equal(contamination["eval_set"], eval_set))
        for day in sorted(set(rows.column("day").to_pylist())):
            out.append({"eval_set": eval_set, "day": day, "preset": presets[day],
                        **_stats(rows.filter(pc.equal(rows["day"], day)), items[eval_set])})
        out.append({"eval_set": eval_set, "day": TOTAL, "preset": presets[TOTAL],
                    **_stats(rows, items[eval_set])})
    return pa.Table.from_pylist(out, REPORT_SCHEMA)


def to_markdown(report: pa.Table) -> str:
    lines = ["| eval set | day | contaminated / items | share | docs dropped | docs cut | preset |",
             "|---|---|---|---|---|---|---|"]
    for r in report.to_pylist():
        lines.append(f"| {r['eval_set']} | {r['day']} | {r['contaminated_items']} / {r['items']} | "
                     f"{r['share']:.1%} | {r['docs_dropped']} | {r['docs_cut']} | {r['preset']} |")
    return "\n".join(lines)


def summary_lines(report: pa.Table) -> list[str]:
    """One line per eval set (its total row), for `maslow demo`'s closing summary."""
    return [f"{r['eval_set']}: {r['contaminated_items']}/{r['items']} items contaminated ({r['share']:.1%}), "
            f"{r['docs_dropped']} docs dropped, {r['docs_cut']} cut, {r['canary_docs']} canary hits"
            + (f" [{r['preset']}]" if r["preset"] else "")
            for r in report.to_pylist() if r["day"] == TOTAL]
