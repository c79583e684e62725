"""What a landed day's ingestion tells the UI: per-source and per-file counts as tables, and the ERROR checks
that keep a bad day from passing silently (no files at all; a source whose records are mostly quarantined;
a file unreadable as a whole or mostly quarantined). `files_readable` serves quarantined_records and
quarantined_media alike: media name the landed file each item came from with a `landed_file` function."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import dagster as dg
import pyarrow as pa
import pyarrow.compute as pc

from platform_assets.metadata_tables import counts, table

MAX_SOURCE_QUARANTINED_SHARE = 0.5  # a source with more of its records quarantined is broken, not noisy
MAX_FILE_QUARANTINED_SHARE = 0.5


def files_spec(asset: str) -> dg.AssetCheckSpec:
    """The `files_readable` check on a quarantine asset (its result: `files_result`)."""
    return dg.AssetCheckSpec(
        "files_readable", asset=asset,
        description="no landed file was quarantined as a whole (unreadable, unsupported format) and none "
                    f"has more than {MAX_FILE_QUARANTINED_SHARE:.0%} of its records quarantined")


CHECKS = [
    dg.AssetCheckSpec("day_has_files", asset="raw_documents",
                      description="the day's landing folders hold at least one file to ingest"),
    dg.AssetCheckSpec("sources_readable", asset="raw_documents",
                      description=f"no source has more than {MAX_SOURCE_QUARANTINED_SHARE:.0%} of its "
                                  "records quarantined (a changed export format, a wrong field mapping)"),
    files_spec("quarantined_records"),
]


def _counts(quarantined: pa.Table, column: str) -> Counter:
    rows = quarantined.group_by(column).aggregate([(column, "count")]).to_pylist()
    return Counter({r[column]: r[f"{column}_count"] for r in rows})


def _share_rows(column: str, records: Counter, bad: Counter) -> list[dict]:
    rows = [{column: k, "records": records.get(k, 0), "quarantined": bad.get(k, 0),
             "quarantined_share": round(bad.get(k, 0) / max(records.get(k, 0) + bad.get(k, 0), 1), 4)}
            for k in sorted(set(records) | set(bad))]
    return sorted(rows, key=lambda r: -r["quarantined_share"])


def source_rows(records: Counter, quarantined: pa.Table) -> list[dict]:
    """Per source: records ingested, quarantined and the quarantined share, worst first."""
    return _share_rows("source", records, _counts(quarantined, "source"))


def file_rows(records: Counter, quarantined: pa.Table,
              landed_file: Callable[[str], str] | None = None) -> list[dict]:
    """Per landed file (relative to the landing folder): records ingested, quarantined, share, worst first.

    `landed_file` maps a quarantine row's `file` to the file it was landed in (default: itself)."""
    bad = (_counts(quarantined, "file") if landed_file is None
           else Counter(landed_file(f) for f in quarantined.column("file").to_pylist()))
    return _share_rows("file", records, bad)


def file_table(records_by_file: Counter, quarantined: pa.Table,
               landed_file: Callable[[str], str] | None = None) -> dg.MetadataValue:
    """`file_rows` as the UI's `per_file` table."""
    return table(file_rows(records_by_file, quarantined, landed_file),
                 {"file": "string", "records": "int", "quarantined": "int", "quarantined_share": "float"})


def tables(records: Counter, quarantined: pa.Table, records_by_file: Counter) -> dict:
    """`per_source`, `per_file` and `quarantined_per_kind` as UI tables."""
    shares = {"records": "int", "quarantined": "int", "quarantined_share": "float"}
    return {"per_source": table(source_rows(records, quarantined), {"source": "string", **shares}),
            "per_file": file_table(records_by_file, quarantined),
            "quarantined_per_kind": counts(_counts(quarantined, "error_kind"), "error_kind", "records")}


def results(day: str, files: int, records: Counter, quarantined: pa.Table,
            records_by_file: Counter) -> list[dg.AssetCheckResult]:
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
        files_result(records_by_file, quarantined),
    ]


def files_result(records_by_file: Counter, quarantined: pa.Table, asset: str = "quarantined_records",
                 landed_file: Callable[[str], str] | None = None) -> dg.AssetCheckResult:
    """ERROR when a file was lost as a whole (a quarantine row naming the landed file itself, with no line)
    or is mostly quarantined; `landed_file` as for `file_rows` (a media item is a record of its file)."""
    whole = quarantined.filter(pc.is_null(quarantined["line"])).select(["file", "error"]).to_pylist()
    whole = [r for r in whole if landed_file is None or landed_file(r["file"]) == r["file"]]
    lost = [f"{r['file']}: {r['error']}" for r in whole]
    gone = {r["file"] for r in whole}
    mostly = [f"{r['file']}: {r['quarantined']} of {r['records'] + r['quarantined']} records quarantined "
              f"({r['quarantined_share']:.0%})" for r in file_rows(records_by_file, quarantined, landed_file)
              if r["quarantined_share"] > MAX_FILE_QUARANTINED_SHARE and r["file"] not in gone]
    problems = lost + mostly
    shown = "; ".join(problems[:5]) + (f"; ... ({len(problems)} files)" if len(problems) > 5 else "")
    return dg.AssetCheckResult(
        check_name="files_readable", asset_key=asset, passed=not problems,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"files_lost_whole": len(lost), "files_mostly_quarantined": len(mostly),
                  "limit": MAX_FILE_QUARANTINED_SHARE, **({"problem": shown} if shown else {})})
