"""`mixture_targets`: what each mixture spec asks for, as a table the analytics SQL can join."""

import hashlib

import dagster as dg
import pyarrow as pa

from platform_assets.mixtures import spec as specs

TARGETS_SCHEMA = pa.schema([
    ("mixture", pa.string()), ("component", pa.string()), ("target_ratio", pa.float64()),
    ("requested_tokens", pa.int64()), ("target_tokens", pa.int64()), ("spec_hash", pa.string()),
])


def _code_version() -> str:
    digest = hashlib.sha256()
    for name, path in sorted(specs.spec_files().items()):
        digest.update(f"{name}\0{specs.spec_hash(path)}\0".encode())
    return digest.hexdigest()[:16]


def target_rows() -> pa.Table:
    """One row per (mixture, component) of every spec in `dbt_like_sql/mixtures/`; a broken spec raises
    MixtureSpecError naming its file and field."""
    rows = []
    for name, path in sorted(specs.spec_files().items()):
        spec, spec_hash = specs.load_spec(path), specs.spec_hash(path)
        for c in spec.components:
            rows.append({"mixture": name, "component": c.name, "target_ratio": c.target_ratio,
                         "requested_tokens": spec.requested_tokens,
                         "target_tokens": int(spec.requested_tokens * c.target_ratio),
                         "spec_hash": spec_hash})
    return pa.Table.from_pylist(rows, TARGETS_SCHEMA)


@dg.asset(io_manager_key="lance_io_manager", kinds={"python"}, code_version=_code_version())
def mixture_targets() -> pa.Table:
    """One mixture component as its spec declares it: the target token share and token count (the same
    `int(requested_tokens * target_ratio)` the sampler aims at), with the spec's hash."""
    return target_rows()
