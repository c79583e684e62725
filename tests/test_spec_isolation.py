"""A broken spec never takes the code location down (platform_assets/spec_isolation.py).

For each kind of spec, a copy of dbt_like_sql/ gets one realistic typo; in a fresh interpreter with that copy
as MASLOW_SPECS the definitions must load, the broken asset (or partition) must still be there with a
`spec_errors` entry naming the file, a run of it must fail with the validation message, the other assets must
materialize, and the landing sensor and the nightly schedule must still request the landed day. Loading
the definitions must stay quiet too: no Dagster Beta/Preview/deprecation notice, no BackfillPolicy warning,
no Lance `WARN ... it will be created` line (issue 13 item 6).

The fresh interpreters are forked from one server that has imported Dagster, Lance, Arrow and DuckDB once
(but nothing of the platform, which reads MASLOW_SPECS when it is imported), and each uses an ephemeral
Dagster instance: a case costs the platform's import and its few runs only.

A new spec kind adds one row to KINDS: the file, the edit that breaks it, and the asset/partition it breaks.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import traceback
import warnings
from datetime import datetime
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DAY = "2026-01-02"
GOOD_EVAL_SET = "maslow_science_mc"
RAW = ["raw_documents", "quarantined_records"]  # a multi-asset's outputs run together
EVAL = ["eval_items", "eval_item_errors"]
CLEAN = ["clean_documents", "rejected_documents", "near_dup_index"]
SYNTHETICS = ["preference_pairs", "rejected_pairs"]
_CLEARED = ("MASLOW_LAKE", "MASLOW_LANDING", "MASLOW_TIMEZONE", "DAGSTER_HOME")

# kind: (spec file, (old, new) text edit, broken asset, broken partition or None, the message's field)
KINDS = {
    "analytics": ("analytics/corpus_by_source_domain_language.sql",
                  ("partitioning: daily", "partitioning: x"), "corpus_by_source_domain_language", None,
                  "partitioning"),
    "mixture": ("mixtures/code_heavy.yaml", ("target_ratio: 0.6", "target_ratio: 0.6x"),
                "mixtures", "code_heavy", "target_ratio"),
    "eval_set": ("eval_sets/maslow_math_word.yaml", ("task: math", "task: maths"),
                 "eval_items", "maslow_math_word", "task"),
    "sources": ("sources.yaml", ("sources:", "sources: [\n"), "raw_documents", DAY, "YAML"),
    "filters": ("filters.yaml", ("chains:", "chain:"), "clean_documents", DAY, "chain"),
    "synthetics": ("synthetics/verified_math_code.yaml", ("pairing: best_vs_worst", "pairing: best_vs_worse"),
                   "preference_pairs", "verified_math_code", "pairing"),
    "labeling": ("labeling/quality_review.yaml", ("kind: choices", "kind: choice"), "labeling_queue",
                 "quality_review", "question.kind"),
}


PRELOADED = ("dagster", "lance", "pyarrow", "pyarrow.compute", "pyarrow.dataset", "duckdb", "pydantic",
             "sqlglot", "numpy", "pandas", "yaml", "rich")
LOUD = ("BetaWarning", "PreviewWarning", "DeprecationWarning", "BackfillPolic", "it will be created")


@pytest.fixture(scope="module")
def prober():
    """`probe(kind, env, out, log) -> exit status`: one forked interpreter per case."""
    env = {k: v for k, v in os.environ.items() if k not in _CLEARED and not k.startswith("MASLOW_")}
    env.pop("LANCE_LOG", None)  # the platform's own load path must keep Lance quiet
    server = subprocess.Popen([sys.executable, "-m", "tests.test_spec_isolation", "--serve"], cwd=REPO,
                              env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def probe(kind: str, case_env: dict, out: Path, log: Path) -> int:
        case = {"kind": kind, "env": case_env, "out": str(out), "log": str(log)}
        server.stdin.write(json.dumps(case) + "\n")
        server.stdin.flush()
        return int(server.stdout.readline() or 99)

    yield probe
    server.stdin.close()
    server.wait(timeout=60)


@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_broken_spec_leaves_the_location_loading_and_ticking(kind, tmp_path, prober):
    file, (old, new), asset, partition, field = KINDS[kind]
    specs = tmp_path / "specs"
    shutil.copytree(REPO / "dbt_like_sql", specs)
    text = (specs / file).read_text()
    assert old in text, f"the edit for {kind} no longer applies to {file}"
    (specs / file).write_text(text.replace(old, new, 1))
    landed = tmp_path / "home" / "landing" / "web" / DAY / "a.jsonl"
    landed.parent.mkdir(parents=True)
    records = ({"id": str(i), "text": f"Document number {i} has a few words in it."} for i in range(5))
    landed.write_text("".join(json.dumps(r) + "\n" for r in records))
    env = {"MASLOW_SPECS": str(specs), "MASLOW_HOME": str(tmp_path / "home"),
           "MASLOW_START_DATE": "2026-01-01"}
    out, log = tmp_path / "result.json", tmp_path / "probe.log"
    status = prober(kind, env, out, log)
    output = log.read_text() if log.exists() else ""
    assert status == 0, f"the location did not load with a broken {file}:\n{output[-6000:]}"
    result = json.loads(out.read_text())

    assert result["broken_present"], f"{asset} ({partition}) vanished from the graph"
    assert file.split("/")[-1] in result["spec_errors"] and field in result["spec_errors"]
    assert result["broken_run"]["success"] is False
    assert file.split("/")[-1] in result["broken_run"]["message"]
    assert field in result["broken_run"]["message"]
    others = result["others"]
    assert others and all(ok for ok in others.values()), others
    assert result["landing_sensor"] == [DAY]
    assert result["nightly"] == [DAY]
    assert result["warnings"] == [], "loading the definitions or running the assets warned"
    assert not [line for line in output.splitlines() if any(w in line for w in LOUD)], output[-3000:]


def _materialize(defs, instance, keys, partition):
    import dagster as dg

    job = defs.resolve_implicit_global_asset_job_def()
    result = job.execute_in_process(asset_selection=[dg.AssetKey(k) for k in keys], partition_key=partition,
                                    instance=instance, raise_on_error=False)
    failure = next((e for e in result.all_events if e.is_step_failure), None)
    data = failure.step_failure_data if failure else None
    user = data.user_failure_data if data else None
    message = user.description if user else (data.error.message if data and data.error else "")
    return {"success": result.success, "message": message or ""}


def _probe(kind: str) -> dict:
    """Run in a fresh interpreter whose MASLOW_SPECS holds the broken copy."""
    import dagster as dg

    loud: list[str] = []  # every warning the platform lets through, loading or running, is recorded
    warnings.simplefilter("always")
    warnings.showwarning = lambda message, category, *_, **__: loud.append(f"{category.__name__}: {message}")
    from platform_assets.definitions import defs

    dg.Definitions.validate_loadable(defs)
    graph = defs.resolve_asset_graph()
    defs.resolve_all_job_defs()  # resolving a job is where Dagster warns about backfill policies
    file, _, asset, partition, _ = KINDS[kind]
    node = graph.get(dg.AssetKey(asset)) if graph.has(dg.AssetKey(asset)) else None
    present = node is not None and (partition is None or node.partitions_def.has_partition_key(partition))
    errors = node.metadata.get("spec_errors") if node is not None else None
    instance = dg.DagsterInstance.ephemeral()
    sensor = defs.resolve_sensor_def("landing_sensor")  # first: it skips a day already ingested
    with dg.build_sensor_context(instance=instance) as ctx:
        requested = [r.partition_key for r in sensor(ctx) or []]
    schedule = defs.resolve_schedule_def("nightly_refresh")
    tick = datetime(2026, 1, 3, 2)
    with dg.build_schedule_context(instance=instance, scheduled_execution_time=tick,
                                   repository_def=defs.get_repository_def()) as c:
        nightly = schedule.evaluate_tick(c).run_requests or []
    others = {}
    if kind != "sources":
        others["raw_documents"] = _materialize(defs, instance, RAW, DAY)["success"]
    others["eval_items"] = _materialize(defs, instance, EVAL, GOOD_EVAL_SET)["success"]
    siblings = next((keys for keys in (RAW, EVAL, CLEAN, SYNTHETICS) if asset in keys), [asset])
    broken = _materialize(defs, instance, siblings, partition)
    return {"broken_present": present, "spec_errors": errors.value if errors is not None else "",
            "broken_run": broken, "others": others, "landing_sensor": requested,
            "nightly": [r.partition_key for r in nightly],
            "warnings": loud}


def _serve() -> None:
    """Reads one case per line, forks an interpreter for it, answers its exit status."""
    import importlib

    for name in PRELOADED:
        importlib.import_module(name)
    for line in sys.stdin:
        case = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _child(case)
        _, status = os.waitpid(pid, 0)
        print(os.waitstatus_to_exitcode(status), flush=True)


def _child(case: dict) -> None:
    log = os.open(case["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.environ.update(case["env"])
    code = 0
    try:
        Path(case["out"]).write_text(json.dumps(_probe(case["kind"])))
    except BaseException:  # noqa: BLE001 - the test shows the trace from the log
        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":  # python -m tests.test_spec_isolation --serve
    _serve()
