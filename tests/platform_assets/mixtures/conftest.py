"""Stand-in upstream Lance tables (clean_documents, contamination, heldout_documents, classifications)."""

from __future__ import annotations

import dagster as dg
import lance
import pyarrow as pa
import pytest

from platform_assets.mixtures.mixtures import build_mixtures_asset
from resources.duckdb_engine import DuckDBEngine
from resources.lance_io_manager import LanceIOManager

# 30 prose docs of 100 tokens, 20 code docs of 50, 10 math docs of 20: 3,000 + 1,000 + 200 tokens.
DOMAINS = [("prose", 30, 100), ("code", 20, 50), ("math", 10, 20)]
CONTAMINATED = "prose-001"  # action 'drop'
CUT_ONLY = "prose-002"  # action 'cut': never enters a mixture whole either
HELD_OUT = "code-003"


def clean_documents() -> pa.Table:
    rows = [
        {"doc_id": f"{domain}-{i:03d}", "source": "web" if domain == "prose" else "github",
         "source_id": str(i), "day": f"2026-01-0{1 + i % 2}", "url": f"https://x/{domain}/{i}",
         "text": f"{domain} document {i} " + "w " * count, "domain": domain, "language": "en",
         "language_score": 0.9, "token_count": count}
        for domain, n, count in DOMAINS for i in range(n)
    ]
    return pa.Table.from_pylist(rows)


def contamination(doc_ids: list[str], actions: list[str]) -> pa.Table:
    n = len(doc_ids)
    return pa.table({"doc_id": doc_ids, "day": ["2026-01-02"] * n, "eval_set": ["e"] * n,
                     "item_id": [f"i{i}" for i in range(n)], "action": actions})


DAYS = ("2026-01-01", "2026-01-02")  # the days of clean_documents() above


def scanned_instance(days=DAYS) -> dg.DagsterInstance:
    """An ephemeral instance where `contamination` was materialized for `days` (the asset needs that)."""
    instance = dg.DagsterInstance.ephemeral()
    for day in days:
        instance.report_runless_asset_event(dg.AssetMaterialization("contamination", partition=day))
    return instance


def write(lake, name: str, table: pa.Table) -> None:
    lance.write_dataset(table, f"{lake}/{name}.lance", mode="overwrite")


@pytest.fixture
def lake(maslow_home):
    root = maslow_home / "lake"
    write(root, "clean_documents", clean_documents())
    write(root, "contamination", contamination([CONTAMINATED, CUT_ONLY], ["drop", "cut"]))
    write(root, "heldout_documents", pa.table({"doc_id": [HELD_OUT], "day": ["2026-01-02"]}))
    docs = clean_documents()
    write(root, "document_classifications", pa.table({
        "doc_id": docs.column("doc_id"), "day": docs.column("day"),
        "score__quality_v1": pa.array([i / docs.num_rows for i in range(docs.num_rows)], pa.float32()),
        "label__domain_v1": docs.column("domain"),
        "score__difficulty_math_v1": pa.array([(i % 3) / 3 for i in range(docs.num_rows)], pa.float32()),
    }))
    return root


@pytest.fixture
def engine(lake) -> DuckDBEngine:
    return DuckDBEngine(root_uri=str(lake))


@pytest.fixture
def io_manager(lake) -> LanceIOManager:
    return LanceIOManager(root_uri=str(lake))


MIX_SPEC = """
name: {name}
description: test mixture
seed: {seed}
requested_tokens: 2000
components:
  - name: prose
    sql: select doc_id, text, token_count from {{{{ ref('clean_documents') }}}} where domain = 'prose'
    target_ratio: 0.5
  - name: code
    sql: |
      select doc_id, text, token_count
      from {{{{ ref('clean_documents') }}}}
      where domain = 'code'
    target_ratio: 0.3
  - name: math
    sql: select doc_id, text, token_count from {{{{ ref('clean_documents') }}}} where domain = 'math'
    target_ratio: 0.2
    max_repetition_ratio: 2.5
"""


@pytest.fixture
def spec_dir(tmp_path, monkeypatch):
    folder = tmp_path / "specs"
    (folder / "mixtures").mkdir(parents=True)
    (folder / "mixtures" / "mix.yaml").write_text(MIX_SPEC.format(name="mix", seed=7))
    monkeypatch.setenv("MASLOW_SPECS", str(folder))
    return folder / "mixtures"


@pytest.fixture
def materialized(lake, engine, io_manager, spec_dir):
    """Two mixtures in one dataset, `mix` written first and then rewritten, so offsets are not trivial."""
    (spec_dir / "other.yaml").write_text(MIX_SPEC.format(name="other", seed=3))
    resources = {"sql_engine": engine, "lance_io_manager": io_manager}
    instance = scanned_instance()
    results = [dg.materialize([build_mixtures_asset()], partition_key=k, resources=resources,
                              instance=instance) for k in ("mix", "other", "mix")]
    return lake, [r.get_asset_materialization_events()[0].materialization.metadata for r in results]
