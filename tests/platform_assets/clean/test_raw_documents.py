"""raw_documents + quarantined_records materialized from demo data through the Lance IO manager."""

from __future__ import annotations

from datetime import date, timedelta

import dagster as dg
import lance
import pyarrow.compute as pc

from platform_assets import settings
from platform_assets.clean.raw_documents import ingest_raw_documents, source_specs
from platform_assets.cli.demo_data import generate, load_truth
from platform_assets.metadata_tables import records
from resources.lance_io_manager import LanceIOManager
from tests.platform_assets import staleness

SEED = 11


def _materialize(home, day: str) -> dg.ExecuteInProcessResult:
    io = LanceIOManager(root_uri=str(home / "lake"))
    return dg.materialize([ingest_raw_documents], partition_key=day, resources={"lance_io_manager": io})


def _metadata(result: dg.ExecuteInProcessResult, key: str) -> dict:
    [event] = [e for e in result.get_asset_materialization_events() if e.asset_key.path == [key]]
    return {k: v.value for k, v in event.materialization.metadata.items()}


def _rows(home, key: str, day: str):
    return lance.dataset(str(home / "lake" / f"{key}.lance")).to_table(filter=f"day = '{day}'")


def test_one_day_of_demo_data_adds_up_to_the_truth(maslow_home):
    generate(settings.landing_dir(), days=2, seed=SEED, docs_per_day=120)
    truth = load_truth(settings.landing_dir(), SEED)
    day = truth["days"][0]  # the day holding the truncated gzip file
    expected = truth["expected"][day]

    result = _materialize(maslow_home, day)
    assert result.success
    raw, bad = _rows(maslow_home, "raw_documents", day), _rows(maslow_home, "quarantined_records", day)

    assert raw.num_rows == expected["raw_records"]
    kinds = bad.column("error_kind").value_counts().to_pylist()
    assert {k["values"]: k["counts"] for k in kinds} == expected["quarantined"]
    assert raw.num_rows + bad.num_rows == expected["lines_written"]
    assert pc.count_distinct(raw.column("doc_id")).as_py() == raw.num_rows

    meta = _metadata(result, "quarantined_records")
    assert meta["records_ingested"] == raw.num_rows and meta["quarantined"] == bad.num_rows
    assert meta["files_read"] == len([f for f in truth["files"] if f["day"] == day])
    assert records(meta["quarantined_per_kind"]) == expected["quarantined"]  # a table, not flat keys
    assert not [k for k in meta if k.startswith("quarantined/")]
    per_file = {r.data["file"]: r.data for r in meta["per_file"].records}
    assert sum(r["records"] for r in per_file.values()) == raw.num_rows
    assert sum(r["quarantined"] for r in per_file.values()) == bad.num_rows
    assert _checks(result)["files_readable"].passed  # the truncated gzip keeps its lines before the break
    assert _metadata(result, "raw_documents")["dagster/partition_row_count"] == raw.num_rows
    columns = _metadata(result, "raw_documents")["dagster/column_schema"].columns
    described = {c.name: c.description for c in columns}  # from processors/ingest.py's RAW_COLUMNS
    assert described["line"] == "1-based line (JSONL) or row (Parquet) in the file"
    assert all(described.values())


def test_truth_documents_are_found_where_the_truth_says(maslow_home):
    generate(settings.landing_dir(), days=2, seed=SEED, docs_per_day=120)
    truth = load_truth(settings.landing_dir(), SEED)
    day = truth["days"][1]
    assert _materialize(maslow_home, day).success
    raw = _rows(maslow_home, "raw_documents", day)
    columns = ["doc_id", "source", "file", "line", "text", "domain"]
    by_id = {r["doc_id"]: r for r in raw.select(columns).to_pylist()}

    for entry in [e for e in truth["pii"] if e["doc"]["day"] == day]:
        row = by_id[entry["doc"]["doc_id"]]
        assert (row["file"], row["line"]) == (entry["doc"]["file"], entry["doc"]["line"])
        assert row["text"][entry["start"]:entry["end"]] == entry["value"]
    domains = {(r["source"], r["domain"]) for r in by_id.values()}
    assert ("dialog", "dialog") in domains and ("crawl", None) in domains and ("web", "prose") in domains
    bad = _rows(maslow_home, "quarantined_records", day).to_pylist()
    declared = {(b["record"]["file"], b["record"]["line"], b["record"]["error_kind"])
                for b in truth["broken_records"] if b["record"]["day"] == day}
    assert {(b["file"], b["line"], b["error_kind"]) for b in bad} == declared


def test_empty_day_and_rerun_keep_partitions_exact(maslow_home):
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    empty_day = (date.today() - timedelta(days=5)).isoformat()
    generate(settings.landing_dir(), days=1, seed=SEED, docs_per_day=40)

    empty = _materialize(maslow_home, empty_day)
    assert empty.success and _metadata(empty, "quarantined_records")["files_read"] == 0
    assert _rows(maslow_home, "raw_documents", empty_day).num_rows == 0

    assert _materialize(maslow_home, yesterday).success
    first = _rows(maslow_home, "raw_documents", yesterday)
    assert _materialize(maslow_home, yesterday).success  # a re-run replaces the partition, never appends
    again = _rows(maslow_home, "raw_documents", yesterday)
    assert again.num_rows == first.num_rows > 0
    assert sorted(again.column("doc_id").to_pylist()) == sorted(first.column("doc_id").to_pylist())


def _checks(result: dg.ExecuteInProcessResult) -> dict:
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


def test_a_day_without_files_or_a_mostly_quarantined_source_fails_its_checks(maslow_home):
    day = "2026-01-02"
    empty = _checks(_materialize(maslow_home, day))
    assert not empty["day_has_files"].passed
    assert empty["day_has_files"].metadata["problem"].value.startswith(f"no landed files for {day}")

    folder = settings.landing_dir()
    (folder / "good" / day).mkdir(parents=True)
    (folder / "good" / day / "a.jsonl").write_text('{"id": 1, "text": "fine"}\n{"id": 2, "text": "ok"}\n')
    (folder / "renamed" / day).mkdir(parents=True)  # the export renamed `text` to `body`
    (folder / "renamed" / day / "b.jsonl").write_text('{"id": 1, "body": "x"}\n{"id": 2, "body": "y"}\n'
                                                      '{"id": 3, "text": "z"}\n')
    result = _materialize(maslow_home, day)
    checks = _checks(result)
    assert checks["day_has_files"].passed and not checks["sources_readable"].passed
    assert checks["sources_readable"].severity == dg.AssetCheckSeverity.ERROR
    assert checks["sources_readable"].metadata["problem"].value == "renamed: 2 of 3 records quarantined (67%)"
    per_source = [r.data for r in _metadata(result, "quarantined_records")["per_source"].records]
    assert per_source[0] == {"source": "renamed", "records": 1, "quarantined": 2, "quarantined_share": 0.6667}
    per_file = [r.data for r in _metadata(result, "quarantined_records")["per_file"].records]
    assert per_file[0] == {"file": f"renamed/{day}/b.jsonl", "records": 1, "quarantined": 2,
                           "quarantined_share": 0.6667}
    assert not checks["files_readable"].passed
    assert checks["files_readable"].metadata["problem"].value == \
        f"renamed/{day}/b.jsonl: 2 of 3 records quarantined (67%)"


def test_a_file_lost_as_a_whole_fails_files_readable(maslow_home):
    day = "2026-01-02"
    folder = settings.landing_dir() / "web" / day
    folder.mkdir(parents=True)
    (folder / "a.jsonl").write_text("".join(f'{{"id": {i}, "text": "fine"}}\n' for i in range(4)))
    (folder / "b.csv").write_text("id,text\n1,an export in the wrong format\n")
    (folder / "c.jsonl.gz").write_bytes(b"not gzip at all")
    result = _materialize(maslow_home, day)
    check = _checks(result)["files_readable"]
    assert not check.passed and check.severity == dg.AssetCheckSeverity.ERROR
    assert check.asset_key == dg.AssetKey("quarantined_records")
    problem = check.metadata["problem"].value
    assert problem.startswith(f"web/{day}/b.csv: ") and f"; web/{day}/c.jsonl.gz: 1 of 1 records" in problem
    meta = check.metadata
    assert (meta["files_lost_whole"].value, meta["files_mostly_quarantined"].value) == (1, 1)
    assert _checks(result)["sources_readable"].passed  # 2 of 6: the source as a whole looks fine


def test_a_new_source_entry_marks_only_the_days_holding_its_files_stale(maslow_home, tmp_path, monkeypatch):
    """`crawl` lands only on day B: giving it an entry leaves day A fresh and day B stale (both outputs);
    a changed description changes nothing read; undoing the entry makes day B fresh again."""
    specs = tmp_path / "specs"
    specs.mkdir()
    sources = specs / "sources.yaml"
    sources.write_text("sources:\n  web:\n    domain: prose\n")
    monkeypatch.setenv("MASLOW_SPECS", str(specs))
    day_a, day_b = ((date.today() - timedelta(days=n)).isoformat() for n in (3, 2))
    for source, day in (("web", day_a), ("web", day_b), ("crawl", day_b)):
        folder = settings.landing_dir() / source / day
        folder.mkdir(parents=True)
        (folder / "part.jsonl").write_text('{"id": "1", "text": "' + f'{source} on {day}' + '"}\n')
    instance = dg.DagsterInstance.ephemeral()
    assets = [source_specs, ingest_raw_documents]
    resources = {"lance_io_manager": LanceIOManager(root_uri=str(maslow_home / "lake"))}
    for day in (day_a, day_b):
        assert dg.materialize(assets, partition_key=day, resources=resources, instance=instance,
                              selection=[ingest_raw_documents]).success

    def stale() -> dict:
        return staleness.stale(instance, assets, resources, "raw_documents")

    assert stale() == {}
    sources.write_text("sources:\n  web:\n    domain: prose\n    description: Web pages.\n")
    assert stale() == {}
    sources.write_text("sources:\n  web:\n    domain: prose\n  crawl:\n    domain: code\n")
    cause = ["has a new dependency data version (source_specs)"]
    assert stale() == {day_b: cause}
    assert staleness.stale(instance, assets, resources, "quarantined_records") == {day_b: cause}
    sources.write_text("sources:\n  web:\n    domain: prose\n")
    assert stale() == {}
