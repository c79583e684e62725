"""`maslow trace <doc_id | pair_id>`: where one document went, across every Lance dataset with a `doc_id`.

A synthetic pair's id is followed back: its `preference_pairs` / `rejected_pairs` row (generator, judge,
verdicts, the seed's Lance version), then the trace of its seed document (`seed:<doc_id>` entries), and the
mixtures that sampled the pair (their doc_id is the pair_id).
"""

from __future__ import annotations

from resources import lance_filters, lance_stage

# What to show per dataset, in pipeline order; any other dataset with a doc_id column is searched too.
ORDER = ["raw_documents", "clean_documents", "rejected_documents", "near_dup_index", "contamination",
         "heldout_documents", "document_classifications", "preference_pairs", "rejected_pairs", "mixtures"]
HIDDEN = {"text", "bands", "meta", "prompt_messages", "chosen_messages", "rejected_messages"}
SHORTENED = ("text", "prompt", "chosen", "rejected")
PAIR_DATASETS = ("preference_pairs", "rejected_pairs")


def lake_datasets() -> list[str]:
    """Asset names of the code location (each is one dataset in the lake), pipeline order first.

    Taken from the asset graph, not by listing the lake, so an object-store lake is searched the same way.
    """
    from platform_assets.definitions import build_defs

    defs = build_defs()
    names = sorted("/".join(k.path) for k in defs.resolve_asset_graph().toposorted_asset_keys)
    return sorted(names, key=lambda n: (ORDER.index(n) if n in ORDER else len(ORDER), n))


def trace(root_uri: str, doc_id: str, names: list[str] | None = None,
          storage_options: dict | None = None) -> dict[str, list[dict]]:
    """Rows holding `doc_id` per dataset (text shortened), for every dataset that has that column; when the
    id is a synthetic pair's `pair_id`, its pair row first and then its seed document's rows (`seed:`)."""
    names = lake_datasets() if names is None else names
    found = _rows(root_uri, names, "pair_id", doc_id, storage_options, only=PAIR_DATASETS)
    seeds = {row["doc_id"] for rows in found.values() for row in rows}
    found.update(_rows(root_uri, names, "doc_id", doc_id, storage_options))
    for seed in sorted(seeds):
        for name, rows in _rows(root_uri, names, "doc_id", seed, storage_options).items():
            found[f"seed:{name}"] = rows
    return found


def _rows(root_uri: str, names: list[str], column: str, value: str, storage_options: dict | None,
          only: tuple[str, ...] | None = None) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for name in names:
        if only is not None and name not in only:
            continue
        ds = lance_stage.open_visible(root_uri, name, storage_options=storage_options)
        if ds is None or column not in ds.schema.names:
            continue
        rows = ds.to_table(filter=lance_filters.compare(column, "=", value)).to_pylist()
        for row in rows:
            for key in SHORTENED:
                if isinstance(row.get(key), str):
                    row[key] = " ".join(row[key][:60].split()) + ("…" if len(row[key]) > 60 else "")
            for key in HIDDEN - set(SHORTENED):
                row.pop(key, None)
        if rows:
            found[name] = rows
    return found


def render(doc_id: str, found: dict[str, list[dict]]) -> str:
    if not found:
        return f"{doc_id}: not found in any dataset (a record that could not be read has no doc_id; " \
               "see quarantined_records by file and line)"
    pairs = [rows[0] for n, rows in found.items() if n in PAIR_DATASETS and rows[0].get("pair_id") == doc_id]
    head = f"document {doc_id}"
    if pairs:
        p = pairs[0]
        head = f"pair {doc_id} from seed document {p['doc_id']} ({p['seed_asset']} v{p['seed_version']})"
    lines = [head]
    for name, rows in found.items():
        for row in rows:
            fields = ", ".join(f"{k}={v}" for k, v in row.items() if k != "doc_id" and v is not None)
            lines.append(f"  {name}: {fields}")
    if "clean_documents" not in found and "rejected_documents" not in found and "raw_documents" in found:
        lines.append("  (ingested but not yet cleaned)")
    return "\n".join(lines)

