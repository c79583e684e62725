"""What a landed day's ingestion tells the UI: per-source and per-file counts as tables, and the ERROR checks
that keep a bad day from passing silently (no files at all; a source whose records are mostly quarantined)."""

from __future__ import annotations

from collections import Counter

import dagster as dg
import pyarrow as pa

MAX_SOURCE_QUARANTINED_SHARE = 0.5  # a source with more of its records quarantined is broken, not noisy
CHECKS = [
    dg.AssetCheckSpec("day_has_files", asset="raw_documents",
                      description="the day's landing folders hold at least one file to ingest"),
    dg.AssetCheckSpec("sources_readable", asset="raw_documents",
                      description=f"no source has more than {MAX_SOURCE_QUARANTINED_SHARE:.0%} of its "
                                  "records quarantined (a changed export format, a wrong field mapping)"),
]


def _counts(quarantined: pa.Table, column: str) -> Counter:
    rows = quarantined.group_by(column).aggregate([(column, "count")]).to_pylist()
    return Counter({r[column]: r[f"{column}_count"] for r in rows})


def source_rows(records: Counter, quarantined: pa.Table) -> list[dict]:
    """Per source: records ingested, quarantined and the quarantined share, worst first."""
    bad = _counts(quarantined, "source")
    rows = [{"source": s, "records": records.get(s, 0), "quarantined": bad.get(s, 0),
             "quarantined_share": round(bad.get(s, 0) / max(records.get(s, 0) + bad.get(s, 0), 1), 4)}
            for s in sorted(set(records) | set(bad))]
    return sorted(rows, key=lambda r: -r["quarantined_share"])


def tables(records: Counter, quarantined: pa.Table) -> dict:
    """`per_source`, `quarantined_per_file` and `quarantined_per_kind` as UI tables."""
    def table(rows: list[dict], columns: dict[str, str]) -> dg.MetadataValue:
        schema = dg.TableSchema([dg.TableColumn(name, kind) for name, kind in columns.items()])
        return dg.MetadataValue.table([dg.TableRecord(r) for r in rows], schema=schema)

    per_file = sorted(_counts(quarantined, "file").items(), key=lambda kv: -kv[1])
    per_kind = sorted(_counts(quarantined, "error_kind").items(), key=lambda kv: -kv[1])
    return {"per_source": table(source_rows(records, quarantined), {
                "source": "string", "records": "int", "quarantined": "int", "quarantined_share": "float"}),
            "quarantined_per_file": table([{"file": f, "quarantined": n} for f, n in per_file],
                                          {"file": "string", "quarantined": "int"}),
            "quarantined_per_kind": table([{"error_kind": k, "records": n} for k, n in per_kind],
                                          {"error_kind": "string", "records": "int"})}


def results(day: str, files: int, records: Counter, quarantined: pa.Table) -> list[dg.AssetCheckResult]:
    broken = [r for r in source_rows(records, quarantined)
              if r["quarantined_share"] > MAX_SOURCE_QUARANTINED_SHARE]
    no_files = f"no landed files for {day} under <landing>/<source>/{day}/" if files == 0 else ""
    sources = "; ".join(f"{r['source']}: {r['quarantined']} of {r['records'] + r['quarantined']} records "
                        f"quarantined ({r['quarantined_share']:.0%})" for r in broken)
    return [
        dg.AssetCheckResult(check_name="day_has_files", asset_key="raw_documents", passed=files > 0,
                            severity=dg.AssetCheckSeverity.ERROR,
                            metadata={"files": files, **({"problem": no_files} if no_files else {})}),
        dg.AssetCheckResult(check_name="sources_readable", asset_key="raw_documents", passed=not broken,
                            severity=dg.AssetCheckSeverity.ERROR,
                            metadata={"limit": MAX_SOURCE_QUARANTINED_SHARE,
                                      **({"problem": sources} if sources else {})}),
    ]
