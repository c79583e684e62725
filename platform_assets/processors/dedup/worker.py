"""What one executor task does: the document processors on a raw batch, then the kept rows' dedup keys."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from platform_assets.processors.dedup.exact import exact_hashes
from platform_assets.processors.dedup.minhash import document_bands
from platform_assets.processors.dedup.presets import get_preset
from platform_assets.processors.dedup.schemas import REJECTED_SCHEMA, conform
from platform_assets.processors.pipeline import KEPT_SCHEMA, clean_batch


@dataclass
class BatchOutcome:
    """What one raw batch becomes on a worker; `counts` are clean_batch's (CleanResult.counts)."""

    kept: pa.Table
    rejected: pa.Table
    exact: np.ndarray
    keys: np.ndarray
    present: np.ndarray
    counts: dict[str, int]


def process_batch(batch: pa.RecordBatch, clean_config: Any, preset_name: str) -> BatchOutcome:
    """Runs on the executor: document processors, then dedup keys of the kept documents."""
    result = clean_batch(batch, clean_config)
    kept, rejected = conform(result.kept, KEPT_SCHEMA), conform(result.rejected, REJECTED_SCHEMA)
    if kept.num_rows + rejected.num_rows != batch.num_rows:
        raise ValueError(f"clean_batch returned {kept.num_rows} kept + {rejected.num_rows} rejected rows "
                         f"for {batch.num_rows} input rows (first doc_id {batch.column('doc_id')[0]})")
    texts = kept.column("text").combine_chunks()
    keys, present = document_bands(texts, get_preset(preset_name))
    return BatchOutcome(kept, rejected, exact_hashes(texts), keys, present, result.counts)
