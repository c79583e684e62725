"""MinHash signatures and LSH band keys, vectorized over a batch with numpy."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from platform_assets.processors.dedup.presets import MinHashPreset
from platform_assets.processors.dedup.shingles import Shingles, shingles
from platform_assets.processors.hashing import POLY_BASE, mix64

EMPTY = np.iinfo(np.uint32).max


def permutations(preset: MinHashPreset) -> tuple[np.ndarray, np.ndarray]:
    """Multiply-shift hash functions `(a * x + b) >> 32` (a odd), seeded by the preset."""
    rng = np.random.default_rng(preset.seed)
    a = rng.integers(0, 2**63, size=preset.num_perm, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    b = rng.integers(0, 2**63, size=preset.num_perm, dtype=np.uint64)
    return a, b


def signatures(sh: Shingles, preset: MinHashPreset) -> np.ndarray:
    """(documents, num_perm) uint32 minimum hash per permutation; an empty document's row is all EMPTY."""
    counts = sh.counts
    sig = np.full((len(counts), preset.num_perm), EMPTY, dtype=np.uint32)
    present = counts > 0
    if not present.any():
        return sig
    starts = sh.offsets[:-1][present]
    a, b = permutations(preset)
    tmp = np.empty_like(sh.values)
    with np.errstate(over="ignore"):
        for k in range(preset.num_perm):
            np.multiply(sh.values, a[k], out=tmp)
            tmp += b[k]
            tmp >>= np.uint64(32)
            sig[present, k] = np.minimum.reduceat(tmp, starts)
    return sig


def band_keys(sig: np.ndarray, preset: MinHashPreset) -> np.ndarray:
    """(documents, bands) uint64: one key per band of `rows` signature values; equal key = band collision."""
    keys = np.empty((sig.shape[0], preset.bands), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for band in range(preset.bands):
            h = np.full(sig.shape[0], band + 1, dtype=np.uint64)
            for col in sig[:, band * preset.rows: (band + 1) * preset.rows].T:
                h *= POLY_BASE
                h += col.astype(np.uint64)
            keys[:, band] = mix64(h)
    return keys


def document_bands(texts: pa.Array, preset: MinHashPreset) -> tuple[np.ndarray, np.ndarray]:
    """Band keys of each document and whether it had any shingle (empty documents never collide)."""
    sh = shingles(texts, preset)
    return band_keys(signatures(sh, preset), preset), sh.counts > 0
