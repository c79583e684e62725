"""Resources by name. Environment branching lives here and nowhere else."""

from __future__ import annotations

import os
from typing import Any

import dagster as dg

from platform_assets import settings
from resources.duckdb_engine import DuckDBEngine
from resources.embedder import embedder_from_env
from resources.executor import build_executor
from resources.lance_io_manager import LanceIOManager
from resources.llm import llm_resource_from_env
from resources.sql_engine import SqlEngine
from resources.trino_engine import TrinoEngine


def build_sql_engine() -> SqlEngine:
    """DuckDB in-process by default; Trino when `MASLOW_TRINO_HOST` is set (auth via EnvVar)."""
    host = os.environ.get("MASLOW_TRINO_HOST")
    if not host:
        return DuckDBEngine(root_uri=settings.lake_uri())
    return TrinoEngine(
        host=host, port=int(os.environ.get("MASLOW_TRINO_PORT", "8080")),
        user=os.environ.get("MASLOW_TRINO_USER", "maslow"),
        catalog=os.environ.get("MASLOW_TRINO_CATALOG", "lance"),
        schema_name=os.environ.get("MASLOW_TRINO_SCHEMA", "default"),
        password=dg.EnvVar("MASLOW_TRINO_PASSWORD") if os.environ.get("MASLOW_TRINO_PASSWORD") else None,
        lake_uri=settings.lake_uri(),
    )


def build_resources() -> dict[str, Any]:
    lance_io = LanceIOManager(root_uri=settings.lake_uri())
    return {
        "io_manager": lance_io,
        "lance_io_manager": lance_io,
        "executor": build_executor(),
        "sql_engine": build_sql_engine(),
        "llm": llm_resource_from_env(),
        "embedder": embedder_from_env(),
    }
