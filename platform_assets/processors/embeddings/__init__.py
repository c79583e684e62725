"""Text encoders for `document_embeddings`: one small file per encoder, registered by name.

`minilm_v1` is the semantic one (sentence-transformers, an optional extra: `make embeddings`);
`hashing_v1` needs nothing beyond numpy and is lexical only (shared words and word pairs), for tests and
for lake-wide "more like this" where near-duplicate wording is what matters.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
import pyarrow as pa

from platform_assets.processors.registry import Registry


class Encoder(Protocol):
    name: str  # registry name, e.g. "minilm_v1"; stored with every vector
    dim: int

    def encode(self, texts: pa.Array) -> np.ndarray:
        """float32 (len(texts), dim), each row of unit length (cosine distance = 1 - dot product)."""
        ...


ENCODERS: Registry[Encoder] = Registry("platform_assets.processors.embeddings", "encoder")
register = ENCODERS.register


def build(name: str, **params) -> Encoder:
    return ENCODERS.get(name)(**params)


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.where(norms == 0, 1, norms)).astype(np.float32)


def vector_array(vectors: np.ndarray) -> pa.FixedSizeListArray:
    """Rows as a fixed_size_list<float32>; an all-zero row (empty text) is null: it has no direction."""
    empty = ~vectors.any(axis=1)
    mask = pa.array(empty) if empty.any() else None
    return pa.FixedSizeListArray.from_arrays(pa.array(vectors.astype(np.float32).ravel()), vectors.shape[1],
                                             mask=mask)
