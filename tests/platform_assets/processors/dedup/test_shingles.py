import numpy as np
import pyarrow as pa

from platform_assets.processors.dedup.normalize import words
from platform_assets.processors.dedup.presets import PRESETS, MinHashPreset
from platform_assets.processors.dedup.shingles import ngrams, shingles


def test_word_normalization_follows_simplify_text():
    got = words(pa.array(["  Café, CAFÉ!  It's 2024.  ", "", "   "])).to_pylist()
    assert got == [["cafe", "cafe", "it", "s", "2024"], None, None]


def test_ngrams_stay_inside_documents():
    units = np.arange(1, 11, dtype=np.uint64)  # docs of 6, 0, 2 and 2 units
    sh = ngrams(units, np.array([6, 0, 2, 2]), 3)
    assert sh.counts.tolist() == [4, 0, 1, 1]  # a short document is one shingle of all its units
    assert len(set(sh.values.tolist())) == 6


def test_same_document_same_shingles_in_any_batch():
    fw = PRESETS["fineweb"]
    doc = "the quick brown fox jumps over the lazy dog again and again"
    alone = shingles(pa.array([doc]), fw)
    mixed = shingles(pa.array(["other words here entirely", doc]), fw)
    assert alone.counts.tolist() == [8]
    assert np.array_equal(np.sort(alone.values), np.sort(mixed.values[mixed.offsets[1] :]))


def test_character_ngrams_count_code_points():
    char3 = MinHashPreset("t", "char", 3, 1, 1)
    sh = shingles(pa.array(["héllo", "ab", ""]), char3)
    assert sh.counts.tolist() == [3, 1, 0]
    assert shingles(pa.array(["xhéllo"]), char3).values[1:].tolist() == sh.values[:3].tolist()
