"""`hashing_v1`: signed feature hashing of word unigrams and bigrams, sub-linear counts, unit length.

Lexical, not semantic: two texts are close when they share words and word pairs, so near-duplicates and
reworded copies rank first, while a paraphrase in other words does not. Needs no model and no extra.

Examples (cosine similarity, 256 dimensions):
    "the cat sat on the mat" vs "the cat sat on a mat"        -> about 0.8
    "the cat sat on the mat" vs "quarterly revenue rose 5%"   -> about 0
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from platform_assets.processors.classifiers.hashed_ngrams import ngram_buckets
from platform_assets.processors.embeddings import register, unit_rows


@register("hashing_v1")
@dataclass(frozen=True)
class HashingEncoder:
    dim: int = 256
    name: str = "hashing_v1"

    def encode(self, texts: pa.Array) -> np.ndarray:
        # Hashing into 2*dim buckets gives a bucket (the high part) and an independent sign (the low bit).
        buckets, rows, _ = ngram_buckets(texts, 2 * self.dim)
        signs = np.where(buckets % 2 == 0, 1.0, -1.0)
        flat = rows * self.dim + buckets // 2
        counts = np.bincount(flat, weights=signs, minlength=len(texts) * self.dim)
        matrix = counts.reshape(len(texts), self.dim)
        return unit_rows(np.sign(matrix) * np.log1p(np.abs(matrix)))
