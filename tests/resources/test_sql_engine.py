import os
from urllib.parse import urlparse

import lance
import pyarrow as pa
import pytest

from resources import sql_refs
from resources.duckdb_engine import DuckDBEngine
from resources.sql_pushdown import plan_scans
from resources.sql_refs import SqlRefError
from resources.trino_engine import TrinoEngine, TrinoSqlError, to_trino

DOCS = pa.table({
    "doc_id": ["a", "b", "c", "d"], "domain": ["code", "prose", "code", "math"],
    "text": ["x" * 10, "y" * 10, "z" * 10, "w" * 10], "token_count": [10, 20, 30, 40],
    "score": [0.1, 0.9, 0.5, 0.7],
})
CONTAM = pa.table({"doc_id": ["a", "b"], "action": ["drop", "cut"], "ngram": ["n1", "n2"]})


@pytest.fixture
def engine(tmp_path):
    lance.write_dataset(DOCS, tmp_path / "docs.lance")
    lance.write_dataset(CONTAM, tmp_path / "contamination.lance")
    return DuckDBEngine(root_uri=str(tmp_path))


@pytest.fixture
def scans(monkeypatch):
    """Spy on every Lance scanner the engine builds: (dataset name, columns, filter)."""
    seen = []
    real = lance.LanceDataset.scanner

    def spy(self, *args, **kwargs):
        seen.append((os.path.basename(self.uri.rstrip("/")), kwargs.get("columns"), kwargs.get("filter")))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(lance.LanceDataset, "scanner", spy)
    return seen


def test_scanner_gets_the_projection_and_the_simple_filters(engine, scans):
    sql = """select d.doc_id, d.token_count from {{ ref('docs') }} as d
             where d.domain = 'code' and d.token_count between 5 and 35 and d.text like '%z%'"""
    assert engine.query(sql).read_all().to_pylist() == [{"doc_id": "c", "token_count": 30}]
    assert scans == [("docs.lance", ["doc_id", "domain", "text", "token_count"],
                      "(domain = 'code') AND (token_count BETWEEN 5 AND 35)")]


def test_only_needed_columns_are_read_through_ctes_and_subqueries(engine, scans):
    sql = """with c as (select * from {{ ref('docs') }} where domain in ('code', 'math'))
             select doc_id from (select * from c) s
             where not exists (select 1 from {{ ref('contamination') }} x where x.doc_id = s.doc_id
                               and x.action = 'drop')"""
    assert sorted(r["doc_id"] for r in engine.query(sql).read_all().to_pylist()) == ["c", "d"]
    assert sorted(scans) == [("contamination.lance", ["action", "doc_id"], "action = 'drop'"),
                             ("docs.lance", ["doc_id", "domain"], "domain IN ('code', 'math')")]


def test_outer_join_null_side_is_never_prefiltered(engine):
    sql = """select d.doc_id from {{ ref('docs') }} d left join {{ ref('contamination') }} c
             on c.doc_id = d.doc_id where c.doc_id is null and c.action = 'drop' or d.score > 0.6"""
    plan = plan_scans(sql, {"docs": DOCS.schema, "contamination": CONTAM.schema})
    assert plan["contamination"].filter is None and plan["docs"].filter is None
    anti = """select d.doc_id from {{ ref('docs') }} d left join {{ ref('contamination') }} c
              on c.doc_id = d.doc_id where c.doc_id is null and d.domain = 'code'"""
    plan = plan_scans(anti, {"docs": DOCS.schema, "contamination": CONTAM.schema})
    assert (plan["docs"].filter, plan["contamination"].filter) == ("domain = 'code'", None)
    assert [r["doc_id"] for r in engine.query(anti).read_all().to_pylist()] == ["c"]


def test_a_ref_read_twice_gets_the_union_of_both_reads(engine):
    schemas = {"docs": DOCS.schema}
    both = """select a.doc_id from {{ ref('docs') }} a join {{ ref('docs') }} b
              on a.token_count = b.token_count where a.domain = 'code' and b.domain = 'math'"""
    assert plan_scans(both, schemas)["docs"].filter == "(domain = 'code') OR (domain = 'math')"
    one_open = both.replace("and b.domain = 'math'", "")
    assert plan_scans(one_open, schemas)["docs"].filter is None
    assert engine.query(both.replace("'math'", "'code'")).read_all().num_rows == 2


def test_predicates_needing_casts_or_functions_stay_in_duckdb(engine):
    plan = plan_scans("select doc_id from {{ ref('docs') }} where token_count = '10' and lower(domain) = 'x' "
                      "and score > -1 and domain is not null", {"docs": DOCS.schema})["docs"]
    assert plan.filter == "(score > -1) AND (NOT (domain IS NULL))"
    def columns(sql):
        return plan_scans(sql, {"docs": DOCS.schema})["docs"].columns

    assert columns("select count(*) from {{ ref('docs') }}") == ["doc_id"]
    no_text = ["doc_id", "domain", "score", "token_count"]
    assert columns("select * exclude (text) from {{ ref('docs') }}") == no_text


def test_unparseable_sql_falls_back_to_a_full_scan():
    assert plan_scans("select from where {{ ref('docs') }}", {"docs": DOCS.schema})["docs"].columns is None


def test_pinned_versions_and_ref_filters(engine, tmp_path):
    lance.write_dataset(DOCS.slice(0, 1), tmp_path / "docs.lance", mode="overwrite")
    count = "select count(*) as n from {{ ref('docs') }}"
    assert engine.query(count).read_all().to_pylist() == [{"n": 1}]
    assert engine.query(count, versions={"docs": 1}).read_all().to_pylist() == [{"n": 4}]
    assert engine.query(count, versions={"docs": 1}, ref_filters={"docs": "domain = 'code'"}).read_all() \
        .to_pylist() == [{"n": 2}]
    assert engine.current_versions(["docs", "missing"]) == {"docs": 2}
    assert engine.pin_versions({"docs": 1}, "keep me") == {"docs": "keep_me"}
    assert lance.dataset(tmp_path / "docs.lance", version="keep_me").count_rows() == 4


def test_results_stream_in_batches(engine, tmp_path):
    lance.write_dataset(pa.table({"i": list(range(200_000))}), tmp_path / "big.lance")
    reader = engine.query("select i from {{ ref('big') }} where i >= 10")
    assert isinstance(reader, pa.RecordBatchReader)
    sizes = [b.num_rows for b in reader]
    assert sum(sizes) == 199_990 and len(sizes) > 1


def test_ref_errors(engine):
    with pytest.raises(SqlRefError, match=r"ref\('nope'\): no Lance dataset at .*nope.lance; materialize"):
        engine.query("select * from {{ ref('nope') }}")
    with pytest.raises(SqlRefError, match="line 2: only"):
        sql_refs.render("select *\nfrom {{ source('x') }}")
    assert sql_refs.refs("{{ ref('a') }} join {{ref(\"b\")}} join {{ ref('a') }}") == ["a", "b"]


def test_trino_transpile_points_refs_at_the_catalog_and_passes_the_grammar():
    sql = """select d.doc_id, d.token_count::int as n from {{ ref('clean_documents') }} as d
             where d.domain ilike 'CO%'
             qualify row_number() over (partition by d.domain order by d.doc_id) = 1"""
    out = to_trino(sql, "lance", "lake")
    assert "lance.lake.clean_documents AS d" in out and "__ref__" not in out
    assert "CAST(d.token_count AS INTEGER)" in out and "LOWER(d.domain) LIKE LOWER('CO%')" in out


def test_trino_rejects_star_exclude_with_a_clear_error():
    with pytest.raises(TrinoSqlError) as e:
        to_trino("select * exclude (text) from {{ ref('clean_documents') }}", "lance", "lake")
    msg = str(e.value)
    assert "Trino's grammar rejects the transpiled SQL at 1:17" in msg
    assert "`* EXCLUDE (...)` has no Trino form" in msg and "SELECT * EXCEPT (text)" in msg


def test_trino_pins_each_ref_with_for_version_as_of_and_reads_filtered_refs_as_subqueries():
    sql = """select d.day, count(*) as n from {{ ref('clean_documents') }} as d
             join {{ ref('eval_items') }} as e on e.item_id = d.doc_id group by d.day"""
    out = to_trino(sql, "lance", "lake", versions={"clean_documents": 7, "eval_items": 2},
                   ref_filters={"clean_documents": "day >= '2026-01-01' AND day <= '2026-01-02'"})
    assert ("(SELECT * FROM lance.lake.clean_documents FOR VERSION AS OF 7 "
            "WHERE day >= '2026-01-01' AND day <= '2026-01-02') AS d") in out
    assert "lance.lake.eval_items FOR VERSION AS OF 2 AS e" in out
    unaliased = to_trino("select day from {{ ref('clean_documents') }}", "lance", "lake",
                         {"clean_documents": 1})
    assert unaliased == "SELECT day FROM lance.lake.clean_documents FOR VERSION AS OF 1"


def test_trino_rejects_nested_asset_keys():
    with pytest.raises(SqlRefError, match="flat"):
        to_trino("select 1 from {{ ref('group/asset') }}", "lance", "lake")


@pytest.mark.integration
@pytest.mark.skipif(not os.environ.get("MASLOW_TRINO_URL"), reason="needs MASLOW_TRINO_URL=trino://user@host:port/catalog/schema")
def test_live_trino_query():
    url = urlparse(os.environ["MASLOW_TRINO_URL"])
    catalog, schema = url.path.strip("/").split("/")
    engine = TrinoEngine(host=url.hostname, port=url.port or 8080, user=url.username or "maslow",
                         catalog=catalog, schema_name=schema)
    assert engine.query("select 1 as one").read_all().to_pylist() == [{"one": 1}]
    table = os.environ.get("MASLOW_TRINO_TABLE", "clean_documents")
    rows = engine.query(f"select count(*) as n from {{{{ ref('{table}') }}}}").read_all().to_pylist()
    assert rows[0]["n"] >= 0
