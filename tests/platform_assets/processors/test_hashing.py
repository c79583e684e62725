import numpy as np
import xxhash

from platform_assets.processors import hashing


def test_hash64_is_xxh3_of_utf8_and_seeds_are_independent_families():
    texts = ["doc-1", "déjà vu", ""]
    assert hashing.hash64(texts).tolist() == [xxhash.xxh3_64_intdigest(t.encode()) for t in texts]
    other = hashing.hash64(texts, seed=hashing.seed_of("salt"))
    assert hashing.hash64(texts, seed=hashing.seed_of("salt")).tolist() == other.tolist()
    assert not np.any(other == hashing.hash64(texts))
    scores = hashing.unit_interval(hashing.hash64(f"id-{i}" for i in range(10_000)))
    assert 0 <= scores.min() and scores.max() < 1 and abs(scores.mean() - 0.5) < 0.02


def test_mixers_are_bijections_and_constants_are_odd():
    x = np.arange(100_000, dtype=np.uint64)
    assert len(np.unique(hashing.mix64(x))) == len(x)
    assert len(np.unique(hashing.splitmix64(x))) == len(x)
    assert hashing.splitmix64(x[:1]).tolist() == [0xE220A8397B1DCDAF]  # splitmix64's first output at seed 0
    constants = hashing.odd_constants(7, 64)
    assert constants.dtype == np.uint64 and np.all(constants % 2 == 1) and len(set(constants.tolist())) == 64


def test_windows_agree_with_combine():
    units = hashing.hash64(["a", "b", "c", "d", "e"])
    assert hashing.windows(units, 3).tolist() == [int(hashing.combine(units[i:i + 3])) for i in range(3)]
    assert hashing.windows(units, 6).size == 0


def test_short_digest_is_the_head_of_sha256():
    assert hashing.short_digest("abc") == "ba7816bf8f01cfea"  # FIPS 180-2's SHA-256 test vector
    assert hashing.short_digest("abc", 8) == "ba7816bf"
