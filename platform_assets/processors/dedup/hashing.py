"""Vectorized 64-bit hashing helpers (numpy, wrapping uint64 arithmetic)."""

from __future__ import annotations

import numpy as np

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
POLY_BASE = np.uint64(0x100000001B3)  # odd, so the polynomial hash keeps every bit of each unit


def mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64's finalizer: a bijection that spreads every input bit over the output."""
    x = x ^ (x >> np.uint64(30))
    x *= _M1
    x ^= x >> np.uint64(27)
    x *= _M2
    x ^= x >> np.uint64(31)
    return x


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
