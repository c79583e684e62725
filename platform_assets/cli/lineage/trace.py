"""`maslow trace <doc_id>`: where one document went, across every Lance dataset that has a `doc_id`."""

from __future__ import annotations

from resources import lance_datasets, lance_filters

# What to show per dataset, in pipeline order; any other dataset with a doc_id column is searched too.
ORDER = ["raw_documents", "clean_documents", "rejected_documents", "near_dup_index", "contamination",
         "heldout_documents", "document_classifications", "mixtures"]
HIDDEN = {"text", "bands", "meta"}


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
    """Rows holding `doc_id` per dataset (text shortened), for every dataset that has that column."""
    found: dict[str, list[dict]] = {}
    for name in lake_datasets() if names is None else names:
        uri = lance_datasets.dataset_uri(root_uri, name.split("/"))
        ds = lance_datasets.open_dataset(uri, storage_options=storage_options)
        if ds is None or "doc_id" not in ds.schema.names:
            continue
        rows = ds.to_table(filter=lance_filters.compare("doc_id", "=", doc_id)).to_pylist()
        for row in rows:
            if isinstance(row.get("text"), str):
                row["text"] = " ".join(row["text"][:60].split()) + ("…" if len(row["text"]) > 60 else "")
            for key in HIDDEN - {"text"}:
                row.pop(key, None)
        if rows:
            found[name] = rows
    return found


def render(doc_id: str, found: dict[str, list[dict]]) -> str:
    if not found:
        return f"{doc_id}: not found in any dataset (a record that could not be read has no doc_id; " \
               "see quarantined_records by file and line)"
    lines = [f"document {doc_id}"]
    for name, rows in found.items():
        for row in rows:
            fields = ", ".join(f"{k}={v}" for k, v in row.items() if k != "doc_id" and v is not None)
            lines.append(f"  {name}: {fields}")
    if "clean_documents" not in found and "rejected_documents" not in found and "raw_documents" in found:
        lines.append("  (ingested but not yet cleaned)")
    return "\n".join(lines)

