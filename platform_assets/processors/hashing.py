"""The one home of 64-bit hashing: document hashes (xxh3-64 of strings) and the vectorized kernels that
shingles, MinHash, decontamination n-grams and hashed n-gram features are built from (numpy, wrapping
uint64 arithmetic), and short hex digests of strings (versions, cache keys). Every value is stable across
processes and machines, unlike Python's `hash`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import numpy as np
import xxhash

GOLDEN = 0x9E3779B97F4A7C15
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_MASK = (1 << 64) - 1
POLY_BASE = np.uint64(0x100000001B3)  # odd, so the polynomial hash keeps every bit of each unit


def short_digest(text: str, length: int = 16) -> str:
    """The first `length` hex digits of the SHA-256 of `text`: a version or cache key, not a row hash."""
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def hash64(texts: Iterable[str], seed: int = 0, count: int = -1) -> np.ndarray:
    """uint64 xxh3-64 of each string's UTF-8 bytes (`seed` picks an independent hash family)."""
    return np.fromiter((xxhash.xxh3_64_intdigest(t.encode("utf-8", "surrogatepass"), seed) for t in texts),
                       np.uint64, count)


def seed_of(salt: str) -> int:
    """A 32-bit hash seed derived from a salt string."""
    return xxhash.xxh32_intdigest(salt.encode())


def unit_interval(hashes: np.ndarray) -> np.ndarray:
    """Hashes as floats uniform in [0, 1)."""
    return hashes / 2.0**64


def mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64's finalizer: a bijection that spreads every input bit over the output."""
    with np.errstate(over="ignore"):
        x = x ^ (x >> np.uint64(30))
        x = x * _M1
        x ^= x >> np.uint64(27)
        x = x * _M2
        x ^= x >> np.uint64(31)
    return x


def splitmix64(x: np.ndarray) -> np.ndarray:
    """splitmix64 (the golden-ratio step, then the finalizer) of every element."""
    with np.errstate(over="ignore"):
        return mix64(x + np.uint64(GOLDEN))


def odd_constants(seed: int, count: int) -> np.ndarray:
    """`count` fixed odd 64-bit multipliers from the splitmix64 sequence at `seed` (pure Python, so they
    never depend on numpy's RNG)."""
    out = []
    for _ in range(count):
        seed = (seed + GOLDEN) & _MASK
        z = ((seed ^ (seed >> 30)) * int(_M1)) & _MASK
        z = ((z ^ (z >> 27)) * int(_M2)) & _MASK
        out.append((z ^ (z >> 31)) | 1)
    return np.array(out, dtype=np.uint64)


def windows(units: np.ndarray, n: int) -> np.ndarray:
    """Polynomial hash of every window of `n` consecutive units (len(units) - n + 1 values)."""
    count = len(units) - n + 1
    if count <= 0:
        return np.empty(0, dtype=np.uint64)
    with np.errstate(over="ignore"):
        h = units[:count].astype(np.uint64, copy=True)
        for k in range(1, n):
            h *= POLY_BASE
            h += units[k: k + count]
    return h


def combine(units: np.ndarray) -> np.uint64:
    """Polynomial hash of a whole (short) sequence, consistent with `windows`."""
    h = np.uint64(0)
    with np.errstate(over="ignore"):
        for u in units.astype(np.uint64):
            h = h * POLY_BASE + u
    return h
