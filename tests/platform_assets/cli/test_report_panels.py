"""A panel whose model has no rows, or was never materialized, renders a note rather than an error."""

import re

import pyarrow as pa

from platform_assets import settings
from platform_assets.analytics.sql_models import parse_model
from platform_assets.cli.report.data import Panel
from platform_assets.cli.report.html import panel_html
from tests.platform_assets.analytics import small_lake

LABELS = settings.SPEC_DIR / "analytics" / "label_agreement.sql"


def _body(panel: Panel) -> str:
    return re.search(r"</p>(.*)<p class=\"inputs\">", panel_html(panel, None, None), re.S).group(1)


def test_label_panel_without_labeling_assets_is_a_note():
    model = parse_model(LABELS)
    empty = pa.table({"queue": pa.array([], pa.string())})
    absent, nothing = _body(Panel(model, None)), _body(Panel(model, empty))
    assert 'class="note"' in absent and "not materialized yet" in absent
    assert 'class="note"' in nothing and "human_labels" in nothing and 'class="error"' not in nothing


def test_label_panel_draws_the_shares(tmp_path):
    import lance

    from resources.duckdb_engine import DuckDBEngine

    for name, table in small_lake.labeling().items():
        lance.write_dataset(table, tmp_path / f"{name}.lance")
    model = parse_model(LABELS)
    rows = DuckDBEngine(root_uri=str(tmp_path)).query(model.sql).read_all()
    body = _body(Panel(model, rows))
    assert "<svg" in body and 'class="error"' not in body
    for drawn in ("pairwise_agreement", "suggestion_accepted", "model_gold_accuracy"):
        assert drawn in body
    assert ">tasks<" not in body and ">annotators<" not in body  # counts without a denominator are not drawn
