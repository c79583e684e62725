"""pHash near duplicates on the pictures inside scikit-image's wheel, and the band search against brute force.

Threshold (dbt_like_sql/media.yaml near_dup.max_hamming, default 10): a JPEG re-encode or a downscale moves
a picture's hash by at most 7 bits here, unrelated pictures are at least 20 bits apart.
"""

import itertools

import numpy as np
import pytest

from platform_assets.cli.demo_data import media_images as images
from platform_assets.processors.media.config import MediaConfig
from platform_assets.processors.media.decode import decode
from platform_assets.processors.media.near_dup import candidate_pairs, clusters, hamming

THRESHOLD = MediaConfig().near_dup.max_hamming
NAMES = list(images.CAPTIONS)


def _hash(data: bytes) -> int:
    return decode(data, "image", 1 << 30).phash


@pytest.fixture(scope="module")
def originals():
    return {name: images.load_original(name) for name in NAMES}


@pytest.mark.parametrize("transform", ["reencode", "resize"])
def test_reencoded_and_resized_copies_are_within_the_threshold(originals, transform):
    for name, (image, data, _) in originals.items():
        distance = bin(_hash(data) ^ _hash(images.variant(image, transform))).count("1")
        assert distance <= THRESHOLD, (name, transform, distance)


def test_unrelated_pictures_stay_apart(originals):
    hashes = {name: _hash(data) for name, (_, data, _) in originals.items()}
    closest = min(bin(hashes[a] ^ hashes[b]).count("1") for a, b in itertools.combinations(hashes, 2))
    assert closest > 2 * THRESHOLD - 5  # well clear of the threshold
    root, _ = clusters(np.array(list(hashes.values()), dtype=np.uint64), THRESHOLD)
    assert (root == np.arange(len(hashes))).all()


def test_bands_find_exactly_the_pairs_brute_force_finds():
    rng = np.random.default_rng(7)
    hashes = rng.integers(0, 2**63, size=2500, dtype=np.int64).astype(np.uint64)
    for k in range(300):  # plant pairs at 0..14 bits, across the threshold
        flips = rng.choice(64, size=k % 15, replace=False)
        hashes[1000 + k] = hashes[k] ^ np.uint64(sum(1 << int(b) for b in flips))
    a, b = candidate_pairs(hashes, THRESHOLD)
    i, j = np.triu_indices(len(hashes), 1)
    close = hamming(hashes[i], hashes[j]) <= THRESHOLD
    assert set(zip(a.tolist(), b.tolist(), strict=True)) == set(zip(i[close].tolist(), j[close].tolist(),
                                                                    strict=True))
    assert len(a) >= 300 * 11 // 15


def test_a_cluster_keeps_its_first_item():
    hashes = np.array([0b1111, 0b0111, 0b1111 << 40, 0b0011], dtype=np.uint64)
    root, distance = clusters(hashes, 3)
    assert root.tolist() == [0, 0, 2, 0] and distance.tolist() == [0, 1, 0, 2]
