"""`maslow validate`: the shipped specs are valid; a broken copy gets one `file:line: field: message` line per
problem, at the line of the file (not of the compiled query), and a non-zero exit.

Each case runs the command in a fresh interpreter, as a user would: MASLOW_SPECS is read when the
definitions load.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import lance
import pyarrow as pa

REPO = Path(__file__).resolve().parents[3]


def _validate(tmp_path: Path, specs: Path | None, *paths: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("MASLOW_SPECS", "MASLOW_LAKE", "DAGSTER_HOME")}
    env |= {"MASLOW_HOME": str(tmp_path / "home"), "MASLOW_START_DATE": "2026-01-01"}
    if specs is not None:
        env["MASLOW_SPECS"] = str(specs)
    return subprocess.run([sys.executable, "-m", "platform_assets.cli", "validate", *paths], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=300)


def test_the_shipped_specs_are_valid(tmp_path):
    done = _validate(tmp_path, None)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    assert done.stdout.strip().endswith("spec file(s) valid")


def _edit(path: Path, old: str, new: str) -> int:
    """Replaces the first `old` and returns the 1-based line it was on."""
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))
    return text[: text.index(old)].count("\n") + 1


def test_each_problem_is_one_line_at_the_file_line(tmp_path):
    specs = tmp_path / "specs"
    shutil.copytree(REPO / "dbt_like_sql", specs)
    yaml_line = _edit(specs / "eval_sets" / "maslow_math_word.yaml", "task: math", "task: maths")
    mix = specs / "mixtures" / "broad_pretrain.yaml"
    ref_line = _edit(mix, "{{ ref('clean_documents') }}", "{{ ref('clean_document') }}")
    model = specs / "analytics" / "corpus_by_source_domain_language.sql"
    column_line = _edit(model, "sum(token_count)", "sum(token_countt)")
    queue_line = _edit(specs / "labeling" / "quality_review.yaml", "kind: choices", "kind: choice")
    # the model is bound against the real schema of clean_documents in the lake (empty tables: nothing read)
    schema = pa.schema([(c, pa.string()) for c in ("doc_id", "day", "source", "domain", "language", "text")]
                       + [("token_count", pa.int64()), ("dup_cluster_size", pa.int64())])
    lance.write_dataset(schema.empty_table(), str(tmp_path / "home" / "lake" / "clean_documents.lance"))

    done = _validate(tmp_path, specs)
    lines = done.stdout.strip().splitlines()
    assert done.returncode == 1, done.stdout + done.stderr[-3000:]
    assert re.fullmatch(r"4 problem\(s\) in 4 of \d+ spec file\(s\)", lines[-1]), lines[-1]
    problems = lines[:-1]
    assert f"specs/eval_sets/maslow_math_word.yaml:{yaml_line}: task: Input should be" in "\n".join(problems)
    assert (f"specs/mixtures/broad_pretrain.yaml:{ref_line}: components[0](prose_hq).sql: "
            "ref('clean_document'): no such asset 'clean_document'; did you mean clean_documents"
            ) in "\n".join(problems)
    column = next(p for p in problems if "corpus_by_source_domain_language" in p)
    assert column.startswith(f"specs/analytics/corpus_by_source_domain_language.sql:{column_line}: (sql): ")
    assert '"token_countt" not found' in column and "__ref__" not in column
    assert f"specs/labeling/quality_review.yaml:{queue_line}: question.kind: Input should be" in "\n".join(
        problems)  # labeling queues (and synthetics) load through spec_isolation too
    assert all(p.count("\n") == 0 for p in problems)

    only = _validate(tmp_path, specs, "specs/mixtures")
    assert only.returncode == 1
    mixtures = len(list((specs / "mixtures").glob("*.yaml")))
    assert only.stdout.strip().splitlines()[-1] == f"1 problem(s) in 1 of {mixtures} spec file(s)"
