"""SQL models: every `dbt_like_sql/analytics/<name>.sql` becomes the asset `<name>`, run by the `sql_engine`.

A model starts with a YAML header in a `/* --- ... --- */` block:

    description: what one row is (the asset's description)
    partitioning: none | daily        # daily: each ref with a `day` column is read for that day only
    grain: [day, source]              # documentation of the row key
    columns:                          # each entry becomes an asset check on the model
      tokens: [not_null, non_negative]
      domain: [{accepted_values: [prose, code]}]
    merge: {sum: [documents, tokens], ratio: {mean_tokens: [tokens, documents]}}   # analytics/merge.py
    metadata: {tokens: sum(tokens)}   # numeric metadata per partition: SQL aggregates over its rows
    chart: {kind: bar, x: day, y: tokens, color: source}                         # analytics/charts.py
    all_partitions_of: [eval_items]   # refs partitioned otherwise (static keys), read whole every day
    descriptions: {tokens: o200k tokens}  # column descriptions in the UI (grain and checks are added)

The body is DuckDB SQL whose inputs are `{{ ref('asset') }}`, the only source of graph edges.
"""

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import dagster as dg
import duckdb
from pydantic import BaseModel, ConfigDict, Field, field_validator

from platform_assets import partitions, settings
from platform_assets import spec_isolation as isolation
from platform_assets.analytics import summaries
from platform_assets.analytics.charts import Chart
from platform_assets.analytics.merge import Merge
from platform_assets.specs import FieldProblem, SpecError, load_yaml_model
from resources import lance_filters, sql_guard, sql_refs
from resources import sql_diagnostics as diagnostics
from resources.lance_io_manager import COLUMN_DESCRIPTIONS
from resources.sql_engine import SqlEngine, input_metadata

HEADER = re.compile(r"\A\s*/\*\s*---[ \t]*\n(?P<yaml>.*?)\n\s*---\s*\*/", re.S)
_FAILING = {  # SQL counting the rows that break each simple check
    "not_null": "count(*) filter (where {c} is null)",
    "unique": "count({c}) - count(distinct {c})",
    "non_negative": "count(*) filter (where {c} < 0)",
}
SIMPLE_CHECKS = set(_FAILING)


class SqlModelError(SpecError):
    """A model file is not valid; the message names the file, the line and the header field."""


class Header(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str = Field(min_length=1)
    partitioning: Literal["none", "daily"] = "none"
    grain: list[str] = Field(default_factory=list)
    columns: dict[str, list[str | dict[str, list]]] = Field(default_factory=dict)
    merge: Merge | None = None
    metadata: dict[str, str] = Field(default_factory=dict)
    chart: Chart | None = None
    all_partitions_of: list[str] = Field(default_factory=list)  # refs read whole (another partitioning)
    descriptions: dict[str, str] = Field(default_factory=dict)  # column -> what it holds (UI columns)

    @field_validator("columns")
    @classmethod
    def _known_checks(cls, columns: dict) -> dict:
        for column, checks in columns.items():
            for i, check in enumerate(checks):
                simple = isinstance(check, str) and check in SIMPLE_CHECKS
                if not (simple or isinstance(check, dict) and set(check) == {"accepted_values"}):
                    raise FieldProblem(("columns", column, i), f"unknown check {check!r}; known: "
                                       f"{sorted(SIMPLE_CHECKS)}, {{accepted_values: [...]}}")
        return columns


@dataclass(frozen=True)
class SqlModel:
    name: str
    path: Path
    header: Header
    sql: str
    line: int = 1  # the file's line where `sql` starts (engine errors are mapped back to file lines)

    @property
    def refs(self) -> list[str]:
        return sql_refs.refs(self.sql)

    def sql_blocks(self) -> list[tuple[str, str, int, tuple[str, ...]]]:
        """(field, SQL, the file's line where it starts, columns it must return), for `maslow validate`."""
        return [("(sql)", self.sql, self.line, tuple(self.header.columns))]

    def column_descriptions(self) -> dict[str, str]:
        """Per column: the header's `descriptions` entry, then what the header says of it (in the grain,
        its checks, the day partition): the asset's column table in the UI."""
        h = self.header
        notes: dict[str, list[str]] = {c: [text] for c, text in h.descriptions.items()}
        for column in h.grain:
            notes.setdefault(column, []).append(f"row key (grain: {', '.join(h.grain)})")
        for column, checks in h.columns.items():
            names = [c if isinstance(c, str) else f"accepted_values {c['accepted_values']}" for c in checks]
            notes.setdefault(column, []).append(f"checked: {', '.join(names)}")
        if h.partitioning == "daily":
            notes.setdefault(partitions.DAY_COLUMN, []).append("the day partition (YYYY-MM-DD)")
        return {c: "; ".join(parts) for c, parts in notes.items()}

    def checks(self) -> list[tuple[str, str]]:
        """(check name, SQL counting the rows that fail it) per column check."""
        out = []
        for column, checks in self.header.columns.items():
            for check in checks:
                if isinstance(check, dict):
                    values = ", ".join(lance_filters.sql_literal(v) for v in check["accepted_values"])
                    failing = f"count(*) filter (where {column} is not null and {column} not in ({values}))"
                    out.append((f"{column}__accepted_values", failing))
                else:
                    out.append((f"{column}__{check}", _FAILING[check].format(c=column)))
        return out


def parse_model(path: Path) -> SqlModel:
    """Reads one model file; SqlModelError names the file and the header field."""
    text = path.read_text()
    match = HEADER.match(text)
    if match is None:
        raise SqlModelError(path, 1, "(header)", "the file must start with a /* --- <YAML header> --- */")
    header = load_yaml_model(path, Header, text=match.group("yaml"), error=SqlModelError,
                             first_line=text.count("\n", 0, match.start("yaml")) + 1)
    body = text[match.end():]
    sql_line = text.count("\n", 0, match.end() + len(body) - len(body.lstrip())) + 1
    sql = body.strip().rstrip(";")
    try:
        sql_refs.render(sql)
    except sql_refs.SqlRefError as e:
        raise SqlModelError(path, sql_line, "(sql)", str(e)) from e
    unknown = sorted(set(header.all_partitions_of) - set(sql_refs.refs(sql)))
    if unknown:
        raise SqlModelError(path, 1, "all_partitions_of", f"{unknown} are not refs of this model")
    if not sql_refs.refs(sql):
        raise SqlModelError(path, sql_line, "(sql)", "the model reads no asset; name its inputs with "
                            "{{ ref('asset') }}")
    try:
        sql_guard.confine(sql)
    except sql_guard.SqlConfinementError as e:
        raise SqlModelError(path, sql_line, "(sql)", str(e)) from e
    return SqlModel(path.stem, path, header, sql, sql_line)


def load_models(folder: Path | None = None) -> list[SqlModel]:
    return [parse_model(p) for p in sorted((folder or settings.spec_dir() / "analytics").glob("*.sql"))]


def build_model_asset(model: SqlModel) -> dg.AssetsDefinition:
    daily = model.header.partitioning == "daily"

    @dg.asset(
        name=model.name,
        description=model.header.description,
        deps=[dg.AssetDep(r, partition_mapping=dg.AllPartitionMapping())
              if r in model.header.all_partitions_of else r for r in model.refs],
        partitions_def=partitions.daily_partitions if daily else None,
        # One SQL query over a date range is far cheaper than a run per day, so backfills run once.
        backfill_policy=dg.BackfillPolicy.single_run() if daily else None,
        metadata={**(partitions.DAILY_METADATA if daily else {}), "grain": model.header.grain,
                  COLUMN_DESCRIPTIONS: model.column_descriptions(),
                  "sql": dg.MetadataValue.md(f"```sql\n{model.sql}\n```")},
        io_manager_key="lance_io_manager",
        kinds={"sql"},
        code_version=hashlib.sha256(model.path.read_bytes()).hexdigest()[:16],  # any edit shows stale
    )
    def _model(context: dg.AssetExecutionContext, sql_engine: SqlEngine):
        isolation.check_refs(context, model.path, model.sql_blocks(), SqlModelError, sql_engine)
        # Inputs are read at pinned Lance versions, tagged so cleanup keeps them; `maslow audit` lists them.
        versions = sql_engine.current_versions(model.refs)
        pinned = sql_engine.pin_versions(versions, f"sql-{model.name}-{context.run_id[:8]}")
        metadata = input_metadata(versions, pinned)
        filters = {}
        if daily:  # the run's days (one, or a backfill's range), for every input that has a `day`
            days = context.partition_key_range
            where = lance_filters.range_predicate("day", days.start, days.end)
            filters = {r: where for r in model.refs if "day" in getattr(sql_engine.schema(r), "names", [])}
            for ref in filters:  # the days read, as partition keys (a daily input's keys are its days)
                metadata[f"inputs/{ref}/partitions"] = context.partition_keys
        # Aggregates are small: read whole, so each partition also gets its figures and its chart.
        try:
            table = sql_engine.query(model.sql, versions=versions, ref_filters=filters).read_all()
        except duckdb.Error as e:  # the engine's line is the query's: report the file's line
            problem = diagnostics.engine_problem(e, model.sql)
            raise SqlModelError(model.path, diagnostics.file_line(model.line, problem), "(sql)",
                                problem.message) from None
        per_day = summaries.partition_metadata(model, table, context.partition_keys if daily else None)
        if daily:
            for day, figures in per_day.items():
                context.add_asset_metadata(figures, partition_key=day)
        else:
            metadata.update(per_day[None])
        return dg.MaterializeResult(value=table, metadata=metadata)

    return _model


def build_model_checks(model: SqlModel) -> dg.AssetChecksDefinition | None:
    checks = model.checks()
    if not checks:
        return None
    specs = [dg.AssetCheckSpec(name, asset=model.name) for name, _ in checks]
    select = ",\n  ".join(f"{expr} as {name}" for name, expr in checks)
    sql = f"select\n  {select}\nfrom {{{{ ref('{model.name}') }}}}"

    @dg.multi_asset_check(specs=specs, name=f"{model.name}_column_checks")
    def _checks(sql_engine: SqlEngine):
        failing = engine_row(sql_engine, sql)
        for name, _ in checks:
            yield dg.AssetCheckResult(asset_key=model.name, check_name=name, passed=failing[name] == 0,
                                      metadata={"failing_rows": failing[name]})

    return _checks


def engine_row(engine, sql: str) -> dict[str, int]:
    return {k: int(v or 0) for k, v in engine.query(sql).read_all().to_pylist()[0].items()}


def build_broken_asset(loaded: isolation.Guarded) -> dg.AssetsDefinition:
    """A model file that does not parse: the asset is still there (no inputs, unpartitioned) and fails
    every run with the validation message; its `spec_errors` metadata names the file, line and field."""
    name = re.sub(r"\W", "_", loaded.path.stem)

    @dg.asset(
        name=name,
        description=f"INVALID SPEC {loaded.path.name}: fix the file (see spec_errors); runs fail until then.",
        metadata={**isolation.spec_errors_metadata([loaded]), "spec_file": str(loaded.path)},
        io_manager_key="lance_io_manager",
        kinds={"lance", "sql"},
        code_version=hashlib.sha256(loaded.path.read_bytes()).hexdigest()[:16],
        owners=["team:data-platform"],
    )
    def _broken():
        loaded.get()

    return _broken


def build_all(folder: Path | None = None) -> tuple[list, list]:
    """The model assets and checks; a broken file becomes a failing asset, never an import error."""
    paths = sorted((folder or settings.spec_dir() / "analytics").glob("*.sql"))
    loaded = [isolation.guard(p, parse_model) for p in paths]
    models = [g.value for g in loaded if g.ok]
    checks = [c for m in models if (c := build_model_checks(m)) is not None]
    broken = [build_broken_asset(g) for g in loaded if not g.ok]
    return [build_model_asset(m) for m in models] + broken, checks


SQL_MODEL_ASSETS, SQL_MODEL_CHECKS = build_all()
