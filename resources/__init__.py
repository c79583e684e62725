"""Resources by name: the composition root. It alone reads settings (the environment, through
`platform_assets.settings`) and hands each resource its root URIs and options through its constructor."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from platform_assets import settings

if TYPE_CHECKING:  # imported where built: a process using one module (a Lance writer, a Ray worker)
    # imports that module, not Dagster, DuckDB, httpx and the rest through this package
    from resources.embedder import EmbedderResource
    from resources.executor import LocalExecutor, RayExecutor
    from resources.label_studio import LabelStudioResource
    from resources.sql_engine import SqlEngine


def build_executor(env: settings.Settings | None = None) -> LocalExecutor | RayExecutor:
    """`MASLOW_EXECUTOR=local` (default, `MASLOW_WORKERS`) or `ray` (`MASLOW_RAY_ADDRESS`, else a local
    cluster)."""
    from resources.executor import LocalExecutor, RayExecutor

    env = env or settings.current()
    kind = env.executor.strip().lower()
    if kind == "local":
        return LocalExecutor(workers=env.workers)
    if kind == "ray":
        return RayExecutor(address=env.ray_address)
    raise ValueError(f"MASLOW_EXECUTOR={kind!r}: expected 'local' or 'ray'")


def build_sql_engine(env: settings.Settings | None = None) -> SqlEngine:
    """DuckDB in-process by default; Trino when `MASLOW_TRINO_HOST` is set (auth via EnvVar)."""
    import dagster as dg

    from resources.duckdb_engine import DuckDBEngine
    from resources.trino_engine import TrinoEngine

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
    from resources.embedder import EmbedderResource

    env = env or settings.current()
    return EmbedderResource(encoder=env.embedder, device=env.embedder_device)


def build_label_studio(env: settings.Settings | None = None) -> LabelStudioResource:
    """`MASLOW_LABEL_STUDIO_URL` (default http://127.0.0.1:8080); the token through `dg.EnvVar`."""
    import dagster as dg

    from resources.label_studio import LabelStudioResource

    env = env or settings.current()
    token = dg.EnvVar("MASLOW_LABEL_STUDIO_TOKEN") if env.label_studio_token else ""
    return LabelStudioResource(url=env.label_studio_url, token=token)


def build_resources() -> dict[str, Any]:
    from resources.lance_io_manager import LanceIOManager
    from resources.llm import llm_resource_from_env

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
