"""`heldout_documents`: a fixed per-domain sample of clean documents kept out of every mixture.

A document is held out when `hash64(SALT + doc_id) / 2**64 < HELDOUT_FRACTION[domain]`. The choice depends
on nothing but the document's own id and domain, so adding a day never changes earlier days, and
re-running a day picks the same documents. Changing SALT or a fraction is a new version of the sample.
"""

from collections.abc import Iterator

import dagster as dg
import numpy as np
import pyarrow as pa

from platform_assets import partitions
from platform_assets.processors.hashing import hash64, unit_interval

SALT = "maslow-heldout-v2:"
HELDOUT_FRACTION = {"prose": 0.02, "code": 0.02, "math": 0.02, "dialog": 0.02, "other": 0.01}
COLUMNS = ["doc_id", "day", "source", "domain", "language", "token_count", "text"]


@dg.asset(
    partitions_def=partitions.daily_partitions,
    metadata=partitions.DAILY_METADATA,
    ins={"clean_documents": dg.AssetIn(metadata={"columns": COLUMNS})},
    io_manager_key="lance_io_manager",
    kinds={"python"},
    code_version=f"{SALT}{sorted(HELDOUT_FRACTION.items())}",
)
def heldout_documents(clean_documents: pa.RecordBatchReader) -> pa.RecordBatchReader:
    """One held-out clean document (for perplexity evals), with its `heldout_score` in [0, 1)."""
    schema = clean_documents.schema.append(pa.field("heldout_score", pa.float64()))
    return pa.RecordBatchReader.from_batches(schema, select_heldout(clean_documents, HELDOUT_FRACTION))


def heldout_scores(doc_ids: list[str]) -> np.ndarray:
    """Uniform in [0, 1), a pure function of each id."""
    return unit_interval(hash64((SALT + d for d in doc_ids), count=len(doc_ids)))


def select_heldout(batches, fractions: dict[str, float]) -> Iterator[pa.RecordBatch]:
    """The held-out rows of each batch (columns doc_id and domain required), plus `heldout_score`."""
    for batch in batches:
        score = heldout_scores(batch.column("doc_id").to_pylist())
        limit = np.array([fractions.get(d, 0.0) for d in batch.column("domain").to_pylist()])
        keep = score < limit
        if keep.any():
            out = batch.append_column("heldout_score", pa.array(score))
            yield out.filter(pa.array(keep))
