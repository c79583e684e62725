"""A seeded random source for the generator: random.Random plus block-drawn integers for speed."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TypeVar

import numpy as np

T = TypeVar("T")
_BLOCK = 1 << 14


class FastRandom(random.Random):
    """random.Random whose `choice` and `ints` read from blocks of numpy-drawn integers.

    Filling template slots one `random.choice` at a time capped the generator near 5 MB/s; drawing
    integers in blocks makes each pick a list lookup. Seeding with a string is stable across runs.
    """

    def __init__(self, seed: str | int):
        super().__init__(seed)
        self._np = np.random.default_rng(self.getrandbits(64))
        self._buf: list[int] = []
        self._pos = 0

    def ints(self, n: int) -> list[int]:
        """`n` non-negative random ints below 2**30 (use `% len(seq)`: the bias is below 1e-6)."""
        if self._pos + n > len(self._buf):
            self._buf, self._pos = self._np.integers(0, 1 << 30, max(_BLOCK, n)).tolist(), 0
        out = self._buf[self._pos:self._pos + n]
        self._pos += n
        return out

    def choice(self, seq: Sequence[T]) -> T:
        return seq[self.ints(1)[0] % len(seq)]


def derive(seed: int, *names: object) -> FastRandom:
    """An independent stream for one (seed, name...) so each part of the data is reproducible alone."""
    return FastRandom(":".join(str(p) for p in (seed, *names)))
