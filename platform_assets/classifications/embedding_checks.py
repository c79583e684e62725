"""Asset checks on `document_embeddings`, streamed from Lance batch by batch."""

import dagster as dg
import lance
import numpy as np
import pyarrow.compute as pc

_EMBEDDINGS = dg.AssetKey("document_embeddings")


@dg.asset_check(asset=_EMBEDDINGS, description="One vector per (day, doc_id); one encoder across the "
                "dataset; every vector of unit length (null only for empty text).")
def vectors_valid(document_embeddings: lance.LanceDataset) -> dg.AssetCheckResult:
    ds = document_embeddings
    ids = ds.to_table(columns=["day", "doc_id"])
    duplicates = ids.num_rows - ids.group_by(["day", "doc_id"]).aggregate([]).num_rows
    encoders = pc.unique(ds.to_table(columns=["encoder"]).column("encoder")).to_pylist()
    dim = ds.schema.field("vector").type.list_size
    nulls = off_norm = 0
    for batch in ds.to_batches(columns=["vector"], batch_size=8192):
        vectors = batch.column("vector")
        nulls += vectors.null_count
        valid = vectors.drop_null()
        norms = np.linalg.norm(valid.flatten().to_numpy().reshape(len(valid), dim), axis=1)
        off_norm += int((np.abs(norms - 1) > 1e-3).sum())
    return dg.AssetCheckResult(
        passed=duplicates == 0 and len(encoders) <= 1 and off_norm == 0,
        metadata={"rows": ids.num_rows, "duplicates": duplicates, "encoders": ", ".join(map(str, encoders)),
                  "null_vectors": nulls, "not_unit_length": off_norm},
    )
