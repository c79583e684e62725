"""A small lake for the synthetics assets: clean_documents seeds, near_dup_index, eval index and items."""

from __future__ import annotations

import dagster as dg
import lance
import pyarrow as pa
import pytest

from platform_assets.cli.demo_data.exercises import exercise
from platform_assets.cli.demo_data.math_problems import math_problem
from platform_assets.cli.demo_data.rng import FastRandom
from platform_assets.eval_sets.eval_ngram_index import NGRAM_SIZES, build_index_table
from platform_assets.processors.dedup.minhash import document_bands
from platform_assets.processors.dedup.presets import get_preset
from resources.duckdb_engine import DuckDBEngine
from resources.lance_io_manager import LanceIOManager
from resources.llm import LLMResource

EVAL_QUESTION = ("A bakery packs muffins into boxes of six. On Monday it baked 252 muffins and sold every "
                 "full box by noon. How many full boxes of muffins did the bakery sell on Monday?")
LEAK = f"Problem: {EVAL_QUESTION}\n\nSolution:\nBoxes: 252 ÷ 6 = 42.\n\nAnswer: 42"
DIALOG = ("User: How do I repot a fern?\n\nAssistant: Water it first, then lift the root ball gently and "
          "move it to a pot one size larger with fresh soil.")
SPEC = """
name: {name}
description: test pairs
seed: 5
sql: |
  select doc_id, text, domain, source from {{{{ ref('clean_documents') }}}}
  where domain in ('math', 'code', 'dialog') order by doc_id
generator: {{name: perturb_v1}}
judge: {{name: verifier_v1, params: {{cpu_s: 1}}}}
output_columns: [domain, source]
"""


def seed_docs() -> list[dict]:
    rng = FastRandom(9)
    docs = [(f"math-{i}", math_problem(rng)[0], "math", "math") for i in range(6)]
    docs += [(f"code-{i}", exercise(rng)[0], "code", "exercises") for i in range(5)]
    docs += [("dialog-0", DIALOG, "dialog", "dialog"), ("leak-0", LEAK, "math", "math"),
             ("math-dup", docs[0][1], "math", "math"),
             ("math-noanswer", "Problem: what is 2 + 2?", "math", "math"),
             ("prose-copy", docs[1][1], "prose", "web")]  # a corpus copy of math-1, outside the SQL
    return [{"doc_id": d, "text": t, "domain": dom, "source": src, "day": "2026-01-01", "token_count": 50}
            for d, t, dom, src in docs]


def write(lake, name: str, table: pa.Table) -> int:
    return lance.write_dataset(table, f"{lake}/{name}.lance", mode="overwrite").version


@pytest.fixture
def lake(maslow_home):
    root = maslow_home / "lake"
    docs = pa.Table.from_pylist(seed_docs())
    write(root, "clean_documents", docs)
    keys, present = document_bands(docs.column("text").combine_chunks(), get_preset("fineweb"))
    write(root, "near_dup_index", pa.table({
        "doc_id": docs.column("doc_id"), "day": docs.column("day"), "preset": ["fineweb"] * docs.num_rows,
        "bands": pa.array([k.tolist() if p else [] for k, p in zip(keys, present, strict=True)],
                          pa.list_(pa.uint64()))}))
    items = pa.table({"eval_set": ["maslow_math_word"], "item_id": ["wp-01"], "index_text": [EVAL_QUESTION],
                      "canary": ["MASLOW TEST CANARY"]})
    write(root, "eval_items", items)
    write(root, "eval_ngram_index", build_index_table(items, NGRAM_SIZES))
    return root


@pytest.fixture
def spec_dir(tmp_path, monkeypatch):
    folder = tmp_path / "specs"
    (folder / "synthetics").mkdir(parents=True)
    (folder / "synthetics" / "pairs.yaml").write_text(SPEC.format(name="pairs"))
    monkeypatch.setenv("MASLOW_SPECS", str(folder))
    return folder / "synthetics"


@pytest.fixture
def resources(lake) -> dict:
    return {"sql_engine": DuckDBEngine(root_uri=str(lake)),
            "lance_io_manager": LanceIOManager(root_uri=str(lake)), "llm": LLMResource()}


def materialize(resources: dict, key: str = "pairs", **kwargs) -> dg.ExecuteInProcessResult:
    from platform_assets.synthetics.preference_pairs import build_synthetics_asset

    return dg.materialize([build_synthetics_asset()], partition_key=key, resources=resources, **kwargs)
