import pytest

from platform_assets.processors.dedup.presets import PRESETS, get_preset


def test_presets_match_the_peers():
    fw, nemo, rp = PRESETS["fineweb"], PRESETS["nemo"], PRESETS["rpv2"]
    assert (fw.unit, fw.ngram, fw.bands, fw.rows, fw.num_perm) == ("word", 5, 14, 8, 112)
    assert (nemo.unit, nemo.ngram, nemo.bands, nemo.rows, nemo.num_perm) == ("char", 24, 20, 13, 260)
    assert (rp.unit, rp.ngram, rp.num_perm, rp.bands * rp.rows) == ("word", 13, 128, 117)


def test_fineweb_curve_is_the_published_one():
    fw = PRESETS["fineweb"]
    got = [round(fw.match_probability(s), 3) for s in (0.70, 0.75, 0.80, 0.85)]
    assert got == [0.565, 0.772, 0.924, 0.988]  # FineWeb blog: 56%, 77%, 92%, 98.8%
    assert round(fw.threshold, 2) == 0.72


def test_unknown_preset_names_the_choices():
    with pytest.raises(ValueError, match="unknown MinHash preset 'bogus'.*fineweb"):
        get_preset("bogus")
