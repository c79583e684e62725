"""Spec SQL only reads its refs: every escape the attack suite used is refused, naming the file, and nothing
is written or leaked, in an analytics model, a mixture component, a labeling queue, the DuckDB engine and the
Trino engine."""

from __future__ import annotations

import duckdb
import lance
import pyarrow as pa
import pytest
import yaml

from platform_assets.analytics.sql_models import SqlModelError, parse_model
from platform_assets.mixtures.spec import MixtureSpecError, load_spec
from resources import duckdb_engine
from resources.duckdb_engine import DuckDBEngine
from resources.sql_guard import SqlConfinementError
from resources.trino_engine import to_trino

SECRET = "sk-live-0123456789-do-not-leak"
REF = "{{ ref('clean_documents') }}"
HEADER = "/* ---\ndescription: evil\n--- */\n"
MANIFEST = "lake/clean_documents.lance/_versions/9.manifest"  # a manifest planted inside the lake


def attacks(tmp) -> dict[str, str]:
    """Each statement of the attack suite, aimed at files under `tmp` (the lake is tmp/lake)."""
    return {
        "copy_to_lake": f"COPY (select * from {REF}) TO '{tmp}/{MANIFEST}'",
        "copy_to_file": f"select doc_id, text, token_count from {REF}; COPY (select 1) TO '{tmp}/out.csv'",
        "attach_create": f"ATTACH '{tmp}/stolen.db' AS stolen; "
                         f"CREATE TABLE stolen.docs AS select * from {REF}",
        "read_passwd": f"select p.*, c.doc_id, c.text, c.token_count from read_csv('/etc/passwd') p, {REF} c",
        "read_environ": "select e.content as text, c.doc_id, c.token_count "
                        f"from read_text('/proc/self/environ') e, {REF} c",
        "drop": f"DROP TABLE {REF}",
        "multi_statement": f"select doc_id, text, token_count from {REF}; select doc_id from {REF}",
        "close_subquery": f"select doc_id, text, token_count from {REF}) as src; "
                          f"COPY (select 1) TO '{tmp}/x.csv'; select * from (select 1",
        "install": f"INSTALL httpfs; select doc_id, text, token_count from {REF}",
        "glob": f"select g.file as text, c.doc_id, c.token_count from glob('/etc/*') g, {REF} c",
    }


@pytest.fixture
def lake(tmp_path, monkeypatch):
    monkeypatch.setenv("MASLOW_LLM_API_KEY", SECRET)
    lance.write_dataset(pa.table({"doc_id": ["a", "b"], "text": ["one", "two"], "token_count": [1, 1]}),
                        str(tmp_path / "lake" / "clean_documents.lance"))
    return tmp_path


def nothing_written(tmp) -> None:
    assert not any((tmp / f).exists() for f in ("out.csv", "x.csv", "stolen.db", MANIFEST))
    assert lance.dataset(str(tmp / "lake" / "clean_documents.lance")).count_rows() == 2


@pytest.mark.parametrize("name", sorted(attacks("/t")))
def test_an_analytics_model_is_refused_naming_the_file(lake, name):
    path = lake / "specs" / "analytics" / f"{name}.sql"
    path.parent.mkdir(parents=True)
    path.write_text(HEADER + attacks(lake)[name] + "\n")
    with pytest.raises(SqlModelError) as err:
        parse_model(path)
    assert str(path) in str(err.value) and "(sql)" in str(err.value) and SECRET not in str(err.value)
    nothing_written(lake)


@pytest.mark.parametrize("name", sorted(attacks("/t")))
def test_a_mixture_component_is_refused_naming_the_file(lake, name):
    path = lake / "specs" / "mixtures" / f"{name}.yaml"
    path.parent.mkdir(parents=True)
    spec = {"name": name, "description": "evil", "seed": 1, "requested_tokens": 10,
            "components": [{"name": "evil", "sql": attacks(lake)[name], "target_ratio": 1.0}]}
    path.write_text(yaml.safe_dump(spec))
    with pytest.raises(MixtureSpecError) as err:
        load_spec(path)
    message = str(err.value)
    assert f"{path}:3: components[0].sql: " in message and SECRET not in message
    nothing_written(lake)


@pytest.mark.parametrize("name", sorted(attacks("/t")))
def test_a_labeling_queue_is_refused_naming_the_file(lake, name):
    from platform_assets.labeling.spec import QueueSpecError, load_queue

    path = lake / "specs" / "labeling" / f"{name}.yaml"
    path.parent.mkdir(parents=True)
    spec = {"name": name, "description": "evil", "sql": attacks(lake)[name],
            "question": {"kind": "choices", "prompt": "ok?", "choices": ["yes", "no"]},
            "sampling": {"size": 5, "seed": 1}}
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    with pytest.raises(QueueSpecError) as err:
        load_queue(path)
    message = str(err.value)
    assert f"{path}:3: sql: " in message and SECRET not in message
    nothing_written(lake)


@pytest.mark.parametrize("name", sorted(attacks("/t")))
def test_the_duckdb_engine_refuses_before_running(lake, name):
    with pytest.raises(SqlConfinementError):
        DuckDBEngine(root_uri=str(lake / "lake")).query(attacks(lake)[name]).read_all()
    nothing_written(lake)


@pytest.mark.parametrize("sql", [
    "select content as text from read_text('/proc/self/environ'), {ref}",
    "select * from read_csv('/etc/passwd'), {ref}",
    "COPY (select * from {ref}) TO '{tmp}/out.csv'",
    "ATTACH '{tmp}/stolen.db' AS stolen",
    "INSTALL httpfs",
    "SET enable_external_access = true",
])
def test_duckdb_itself_is_locked_down_when_the_parser_is_bypassed(lake, monkeypatch, sql):
    monkeypatch.setattr(duckdb_engine, "confine", lambda sql: None)
    with pytest.raises(Exception) as err:  # duckdb's PermissionException / InvalidInputException
        out = DuckDBEngine(root_uri=str(lake / "lake")).query(sql.format(ref=REF, tmp=lake)).read_all()
        assert SECRET not in str(out.to_pylist())
    assert isinstance(err.value, duckdb.Error) and SECRET not in str(err.value)
    nothing_written(lake)


@pytest.mark.parametrize("sql", [
    f"DROP TABLE {REF}", f"DELETE FROM {REF}", f"INSERT INTO {REF} select * from {REF}",
    f"CREATE TABLE copy AS select * from {REF}", f"select 1 from {REF}; DROP TABLE {REF}",
])
def test_the_trino_engine_sends_nothing_but_one_query(sql):
    with pytest.raises(SqlConfinementError):
        to_trino(sql, "lance", "default")


def test_ordinary_spec_sql_still_runs(lake):
    sql = (f"with d as (select doc_id, text from {REF}) select count(*) as n, "
           f"string_agg(text, ',' order by text) as t from d where doc_id in (select doc_id from {REF})")
    out = DuckDBEngine(root_uri=str(lake / "lake")).query(sql).read_all()
    assert out.to_pylist() == [{"n": 2, "t": "one,two"}]
