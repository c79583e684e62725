""""More like this": the documents nearest to a clean document (or to any text) in `document_embeddings`.

Reads the IVF_PQ index the IO manager keeps on `vector` (exact re-ranking of the candidates), then fetches
each hit's opening words from `clean_documents` by `doc_id`, a filtered scan pushed into Lance.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np
import pyarrow as pa

from platform_assets.classifications.document_embeddings import VECTOR_INDEX
from platform_assets.processors.embeddings import Encoder
from resources import lance_datasets, lance_filters
from resources import lance_vectors as lv

SPEC = lv.IndexSpec(**VECTOR_INDEX)


@dataclass(frozen=True)
class Neighbour:
    rank: int
    doc_id: str
    day: str
    domain: str
    distance: float  # cosine distance, 0 for the same direction
    snippet: str

    def to_dict(self) -> dict:
        return asdict(self)


def _open(lake: str, name: str):
    ds = lance_datasets.open_dataset(lance_datasets.dataset_uri(lake, [name]))
    if ds is None:
        raise LookupError(f"no {name} dataset under {lake}; materialize {name} first")
    return ds


def query_vector(ds, doc_id: str) -> tuple[np.ndarray, str]:
    """The stored vector of `doc_id` and the encoder that made it."""
    rows = ds.to_table(columns=["vector", "encoder"], filter=lance_filters.compare("doc_id", "=", doc_id))
    if rows.num_rows == 0:
        raise LookupError(f"{doc_id!r} has no embedding; is its day of document_embeddings materialized?")
    vector = rows.column("vector")[0].values
    if vector is None:
        raise LookupError(f"{doc_id!r} has no vector (its text is empty)")
    return np.asarray(vector.to_numpy(zero_copy_only=False), np.float32), rows.column("encoder")[0].as_py()


def stored_encoder(ds) -> str:
    first = ds.to_table(columns=["encoder"], limit=1)
    if first.num_rows == 0:
        raise LookupError("document_embeddings is empty")
    return first.column("encoder")[0].as_py()


def more_like_this(lake: str, *, doc_id: str | None = None, text: str | None = None, k: int = 10,
                   where: str | None = None, encoder: Callable[[str], Encoder] | None = None,
                   snippet_chars: int = 100) -> list[Neighbour]:
    """The `k` nearest documents to `doc_id` (itself left out) or to `text`, closest first.

    `where` is a Lance filter over (doc_id, day, domain), applied before the search. `text` is encoded
    with the encoder that made the stored vectors, built by `encoder(name)`.
    """
    if (doc_id is None) == (text is None):
        raise ValueError("give exactly one of doc_id and text")
    ds = _open(lake, "document_embeddings")
    if doc_id is not None:
        query, _ = query_vector(ds, doc_id)
        where = lance_filters.all_of(where, lance_filters.compare("doc_id", "!=", doc_id))
    else:
        if encoder is None:
            raise ValueError("a text query needs an encoder factory")
        query = encoder(stored_encoder(ds)).encode(pa.array([text]))[0]
    hits = lv.nearest(ds, SPEC, query, k, columns=["doc_id", "day", "domain"], filter=where)
    snippets = _snippets(lake, hits.column("doc_id").to_pylist(), snippet_chars)
    return [
        Neighbour(i + 1, row["doc_id"], row["day"], row["domain"], round(float(row["_distance"]), 4),
                  snippets.get(row["doc_id"], ""))
        for i, row in enumerate(hits.to_pylist())
    ]


def _snippets(lake: str, doc_ids: list[str], chars: int) -> dict[str, str]:
    if not doc_ids:
        return {}
    clean = _open(lake, "clean_documents")
    found = clean.to_table(columns=["doc_id", "text"],
                           filter=lance_filters.in_values("doc_id", doc_ids))
    return {d: " ".join(t.split())[:chars] for d, t in zip(found.column("doc_id").to_pylist(),
                                                            found.column("text").to_pylist(), strict=True)}


def render(query: str, neighbours: list[Neighbour]) -> str:
    lines = [f"more like {query}:", f"{'#':>3} {'distance':>8}  {'doc_id':32} {'day':10} {'domain':8} text"]
    lines += [f"{n.rank:>3} {n.distance:>8.4f}  {n.doc_id:32} {n.day:10} {n.domain or '':8} {n.snippet}"
              for n in neighbours]
    return "\n".join(lines) if neighbours else f"more like {query}: no neighbours"
