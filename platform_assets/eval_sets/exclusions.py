"""What a mixture must leave out: contaminated and held-out documents (pure; for the mixtures level).

Policy for cut documents: a document with action `cut` never enters a mixture whole. A mixture either
leaves it out, or uses its clean pieces (`clean_pieces`), each as its own sample with the id
`<doc_id>#cut<i>`, the way lm-eval's janitor returns the pieces as separate documents. So a mixture id is
leaked when it is a dropped, cut or held-out document's id, or a piece of a dropped or held-out document.

`exclusions()` is the Arrow form (anti-join it in SQL: `... where doc_id not in (select doc_id from
exclusions)`); `excluded_doc_ids()` is the same as a Python set.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pyarrow as pa
import pyarrow.compute as pc

from platform_assets.processors.decontam import cut_text
from resources import lance_filters

PIECE = "#cut"
EXCLUSION_SCHEMA = pa.schema([("doc_id", pa.string()), ("reason", pa.string())])


def _read(source, columns: list[str], days: Sequence[str] | None) -> pa.Table:
    """Columns of a Lance dataset (filter pushed down) or an Arrow table, limited to `days`."""
    if source is None:
        return pa.table({c: pa.array([], pa.string()) for c in columns})
    if isinstance(source, pa.Table):
        table = source.select(columns)
        return table if days is None else table.filter(pc.is_in(table["day"], pa.array(list(days))))
    flt = None if days is None else lance_filters.in_values("day", list(days))
    return source.to_table(columns=columns, filter=flt)


def _reasons(contamination, heldout, days) -> dict[str, set[str]]:
    rows = _read(contamination, ["doc_id", "day", "action"], days)
    reasons: dict[str, set[str]] = {}
    for doc_id, action in zip(rows["doc_id"].to_pylist(), rows["action"].to_pylist(), strict=True):
        reasons.setdefault(doc_id, set()).add(f"contaminated_{action}")
    for doc_id in _read(heldout, ["doc_id", "day"], days)["doc_id"].to_pylist():
        reasons.setdefault(doc_id, set()).add("heldout")
    return reasons


_ORDER = ("contaminated_drop", "contaminated_cut", "heldout")


def exclusions(contamination, heldout=None, days: Sequence[str] | None = None) -> pa.Table:
    """One row per excluded document, sorted by id; reason is the first of contaminated_drop,
    contaminated_cut, heldout that applies. `contamination`/`heldout`: Lance datasets or Arrow tables."""
    reasons = _reasons(contamination, heldout, days)
    ids = sorted(reasons)
    first = [next(r for r in _ORDER if r in reasons[d]) for d in ids]
    return pa.Table.from_pydict({"doc_id": ids, "reason": first}, EXCLUSION_SCHEMA)


def excluded_doc_ids(contamination, heldout=None, days: Sequence[str] | None = None) -> set[str]:
    """Ids of documents that may not enter a mixture whole (dropped, cut or held out)."""
    return set(_reasons(contamination, heldout, days))


def leaked(mixture_doc_ids: Iterable[str], contamination, heldout=None, days=None) -> list[str]:
    """Mixture ids that break the policy above, sorted; empty means the mixture is clean."""
    reasons = _reasons(contamination, heldout, days)
    out = set()
    for doc_id in mixture_doc_ids:
        base, piece, _ = doc_id.rpartition(PIECE)
        if doc_id in reasons or (piece and reasons.get(base, {"contaminated_cut"}) != {"contaminated_cut"}):
            out.add(doc_id)
    return sorted(out)


def clean_pieces(contamination, documents: pa.Table) -> pa.Table:
    """The kept pieces of cut documents in `documents` (doc_id, text): doc_id, source_doc_id, text."""
    cuts = _read(contamination, ["doc_id", "action", "kept_spans"], None)
    cuts = cuts.filter(pc.equal(cuts["action"], "cut"))
    kept = dict(zip(cuts["doc_id"].to_pylist(), cuts["kept_spans"].to_pylist(), strict=True))
    out = {"doc_id": [], "source_doc_id": [], "text": []}
    mask = pc.is_in(documents["doc_id"], pa.array(list(kept), pa.string()))
    for row in documents.filter(mask).select(["doc_id", "text"]).to_pylist():
        for i, piece in enumerate(cut_text(row["text"], kept[row["doc_id"]])):
            out["doc_id"].append(f"{row['doc_id']}{PIECE}{i}")
            out["source_doc_id"].append(row["doc_id"])
            out["text"].append(piece)
    return pa.table(out, pa.schema([(k, pa.string()) for k in out]))
