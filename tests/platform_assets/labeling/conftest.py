"""Stand-in upstream tables for the quality_review queue: prose documents, their scores and a model row."""

from __future__ import annotations

import json

import lance
import pyarrow as pa
import pytest

from resources.duckdb_engine import DuckDBEngine
from resources.lance_io_manager import LanceIOManager

QUEUE = "quality_review"
N_DOCS = 150
THRESHOLD = 0.6


def clean_documents() -> pa.Table:
    return pa.Table.from_pylist(
        [
            {
                "doc_id": f"doc-{i:03d}",
                "source": ["web", "forum", "news"][i % 3],
                "day": f"2026-01-0{1 + i % 2}",
                "text": f"Document {i} says something {'useful' if i % 4 else 'spammy'}.",
                "domain": "prose" if i % 10 else "code",
                "language": "en",
                "token_count": 10,
            }
            for i in range(N_DOCS)
        ]
    )


def classifications(docs: pa.Table) -> pa.Table:
    n = docs.num_rows
    return pa.table(
        {
            "doc_id": docs.column("doc_id"),
            "day": docs.column("day"),
            "score__quality_v1": pa.array([(i * 37 % n) / n for i in range(n)], pa.float32()),
            "score__llm_edu_v1": pa.array(
                [float(i % 6) if i % 3 == 0 else None for i in range(n)], pa.float32()
            ),
        }
    )


def quality_model() -> pa.Table:
    return pa.table(
        {"model_name": ["quality_v1"], "model_version": ["cafe0123456789ab"], "threshold": [THRESHOLD]}
    )


@pytest.fixture
def lake(maslow_home):
    root = maslow_home / "lake"
    docs = clean_documents()
    lance.write_dataset(docs, f"{root}/clean_documents.lance")
    lance.write_dataset(classifications(docs), f"{root}/document_classifications.lance")
    lance.write_dataset(quality_model(), f"{root}/quality_model.lance")
    return root


@pytest.fixture
def resources(lake) -> dict:
    io = LanceIOManager(root_uri=str(lake))
    return {"lance_io_manager": io, "io_manager": io, "sql_engine": DuckDBEngine(root_uri=str(lake))}


def write_labels(landing, name: str, lines: list[dict]) -> None:
    folder = landing / "_labels" / QUEUE
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text("".join(json.dumps(x) + "\n" for x in lines))
