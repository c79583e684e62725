"""MinHash-LSH presets compatible with the peers' defaults (peers.md §2b)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class MinHashPreset:
    """How documents are shingled and banded.

    A pair with Jaccard similarity `s` collides in at least one band with probability
    `1 - (1 - s**rows)**bands`; `threshold` is the similarity where that curve is steepest.
    """

    name: str
    unit: Literal["word", "char"]
    ngram: int
    bands: int
    rows: int
    seed: int = 1
    perms: int = 0  # hashes computed; 0 means bands * rows (RPv2 computes 128 and bands use 117)

    @property
    def num_perm(self) -> int:
        return max(self.perms, self.bands * self.rows)

    @property
    def threshold(self) -> float:
        return (1 / self.bands) ** (1 / self.rows)

    def match_probability(self, jaccard: float) -> float:
        return 1 - (1 - jaccard**self.rows) ** self.bands


PRESETS: dict[str, MinHashPreset] = {
    # FineWeb / datatrove and Data Prep Kit: word 5-grams, 14 x 8 = 112 hashes, threshold ~0.72.
    "fineweb": MinHashPreset("fineweb", "word", 5, bands=14, rows=8),
    # NeMo Curator: character 24-grams, 20 x 13 = 260 hashes, seed 42.
    "nemo": MinHashPreset("nemo", "char", 24, bands=20, rows=13, seed=42),
    # RedPajama-v2: word 13-grams, 128 permutations. Of its published bandings (14x9, 9x13, 5x25, 1x128 for
    # thresholds 0.7/0.8/0.9/1.0) we take 9 x 13 (117 of the 128 hashes, threshold ~0.84): the 0.8 setting.
    "rpv2": MinHashPreset("rpv2", "word", 13, bands=9, rows=13, perms=128),
}
DEFAULT_PRESET = "fineweb"


def get_preset(name: str) -> MinHashPreset:
    try:
        return PRESETS[name]
    except KeyError:
        raise ValueError(f"unknown MinHash preset {name!r}; choose one of {sorted(PRESETS)}") from None
