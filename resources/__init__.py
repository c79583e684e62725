"""Resources by name: the composition root. It alone reads settings (the environment, through
`platform_assets.settings`) and hands each resource its root URIs and options through its constructor."""

from __future__ import annotations

from typing import Any

import dagster as dg

from platform_assets import settings
from resources.duckdb_engine import DuckDBEngine
from resources.embedder import EmbedderResource
from resources.executor import LocalExecutor, RayExecutor
from resources.label_studio import LabelStudioResource
from resources.lance_io_manager import LanceIOManager
from resources.llm import llm_resource_from_env
from resources.sql_engine import SqlEngine
from resources.trino_engine import TrinoEngine


def build_executor(env: settings.Settings | None = None) -> LocalExecutor | RayExecutor:
    """`MASLOW_EXECUTOR=local` (default, `MASLOW_WORKERS`) or `ray` (`MASLOW_RAY_ADDRESS`, else a local
    cluster)."""
    env = env or settings.current()
    kind = env.executor.strip().lower()
    if kind == "local":
        return LocalExecutor(workers=env.workers)
    if kind == "ray":
        return RayExecutor(address=env.ray_address)
    raise ValueError(f"MASLOW_EXECUTOR={kind!r}: expected 'local' or 'ray'")


def build_sql_engine(env: settings.Settings | None = None) -> SqlEngine:
    """DuckDB in-process by default; Trino when `MASLOW_TRINO_HOST` is set (auth via EnvVar)."""
    env = env or settings.current()
    if not env.trino_host:
        return DuckDBEngine(root_uri=settings.lake_uri())
    return TrinoEngine(
        host=env.trino_host, port=env.trino_port, user=env.trino_user, catalog=env.trino_catalog,
        schema_name=env.trino_schema, lake_uri=settings.lake_uri(),
        password=dg.EnvVar("MASLOW_TRINO_PASSWORD") if env.trino_password else None,
    )


def build_embedder(env: settings.Settings | None = None) -> EmbedderResource:
    """`MASLOW_EMBEDDER` (default `minilm_v1`) and `MASLOW_EMBEDDER_DEVICE` (default `cpu`)."""
    env = env or settings.current()
    return EmbedderResource(encoder=env.embedder, device=env.embedder_device)


def build_label_studio(env: settings.Settings | None = None) -> LabelStudioResource:
    """`MASLOW_LABEL_STUDIO_URL` (default http://127.0.0.1:8080); the token through `dg.EnvVar`."""
    env = env or settings.current()
    token = dg.EnvVar("MASLOW_LABEL_STUDIO_TOKEN") if env.label_studio_token else ""
    return LabelStudioResource(url=env.label_studio_url, token=token)


def build_resources() -> dict[str, Any]:
    env = settings.current()
    lance_io = LanceIOManager(root_uri=settings.lake_uri())
    return {
        "io_manager": lance_io,
        "lance_io_manager": lance_io,
        "executor": build_executor(env),
        "sql_engine": build_sql_engine(env),
        "llm": llm_resource_from_env(),
        "embedder": build_embedder(env),
        "label_studio": build_label_studio(env),
    }
