"""Scores the media stage against the demo's planted media (truth key `media`): near-duplicate precision and
recall, and whether every broken file and filtered item ended where it was planted to end."""

from __future__ import annotations

from collections import Counter

import pyarrow as pa


def clusters(clean: pa.Table, rejected: pa.Table) -> dict[str, str]:
    """doc_id -> the doc_id of the kept item it was merged into (itself when kept, absent when filtered)."""
    out = dict(zip(clean.column("doc_id").to_pylist(), clean.column("doc_id").to_pylist(), strict=True))
    for row in rejected.select(["doc_id", "stage", "duplicate_of"]).to_pylist():
        if row["stage"] in ("exact_dedup", "near_dedup"):
            out[row["doc_id"]] = row["duplicate_of"]
    return out


def near_dup_scores(planted: list[dict], clean: pa.Table, rejected: pa.Table) -> dict:
    """Precision and recall of near-duplicate detection on the planted pairs (near duplicates only).

    A planted pair is found when both items end in the same cluster. Precision counts every near_dedup drop:
    it is right when the dropped item and the item it duplicates belong to the same planted group.
    """
    group = {p["doc_id"]: p.get("of", p["doc_id"]) for p in planted}
    where = clusters(clean, rejected)
    pairs = [p for p in planted if p.get("kind") == "near_duplicate"]
    found = [p for p in pairs if where.get(p["doc_id"]) is not None and
             where.get(p["doc_id"]) == where.get(p["of"])]
    drops = [r for r in rejected.to_pylist() if r["stage"] == "near_dedup"]
    right = [r for r in drops if r["doc_id"] in group and group[r["doc_id"]] == group.get(r["duplicate_of"])]
    missed = Counter(p["transform"] for p in pairs if p not in found)
    return {"planted": len(pairs), "found": len(found), "recall": len(found) / len(pairs) if pairs else 1.0,
            "drops": len(drops), "precision": len(right) / len(drops) if drops else 1.0,
            "missed_by_transform": dict(missed)}


def outcome_mismatches(planted: list[dict], quarantined: pa.Table, rejected: pa.Table) -> list[str]:
    """Planted broken or filtered items that did not end with the planted error kind or reason."""
    kinds = {}
    for row in quarantined.select(["file", "error_kind"]).to_pylist():
        kinds[row["file"].rsplit("/", 1)[-1].split(":")[-1].rsplit(".", 1)[0]] = row["error_kind"]
    reasons = dict(zip(rejected.column("doc_id").to_pylist(), rejected.column("reason").to_pylist(),
                       strict=True))
    out = []
    for p in planted:
        if p.get("kind") == "broken" and kinds.get(p["id"]) != p["error_kind"]:
            out.append(f"{p['id']}: expected quarantine {p['error_kind']}, got {kinds.get(p['id'])}")
        if p.get("kind") == "filtered" and reasons.get(p["doc_id"]) != p["reason"]:
            out.append(f"{p['id']}: expected reason {p['reason']}, got {reasons.get(p['doc_id'])}")
    return out
