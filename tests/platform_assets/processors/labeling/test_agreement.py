"""Each agreement statistic against a well-kept library's value on the same data."""

from __future__ import annotations

import krippendorff
import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss

from platform_assets.processors.labeling import agreement

RNG = np.random.default_rng(3)


def noisy_raters(n_items: int, n_raters: int, categories: int, noise: float) -> np.ndarray:
    """raters x items answers: a shared truth, each answer replaced by a random one with prob `noise`."""
    truth = RNG.integers(0, categories, n_items)
    answers = np.tile(truth, (n_raters, 1))
    flip = RNG.random(answers.shape) < noise
    answers[flip] = RNG.integers(0, categories, flip.sum())
    return answers


@pytest.mark.parametrize("noise", [0.1, 0.4, 0.9])
def test_cohen_matches_scikit_learn(noise):
    a, b = noisy_raters(200, 2, 3, noise)
    ours = agreement.cohen_kappa(list(a), list(b))
    assert ours == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)


def test_cohen_is_nan_when_every_answer_is_the_same():
    assert np.isnan(agreement.cohen_kappa(["x"] * 5, ["x"] * 5))


@pytest.mark.parametrize(("raters", "noise"), [(2, 0.2), (3, 0.5), (5, 0.3)])
def test_fleiss_matches_statsmodels(raters, noise):
    answers = noisy_raters(150, raters, 4, noise)
    counts = np.stack([np.bincount(answers[:, j], minlength=4) for j in range(answers.shape[1])])
    assert agreement.fleiss_kappa(counts) == pytest.approx(sm_fleiss(counts, method="fleiss"), abs=1e-12)


def test_fleiss_for_uses_items_with_the_usual_number_of_answers():
    answers = {
        "i1": {"a": "x", "b": "x"},
        "i2": {"a": "y", "b": "x"},
        "i3": {"a": "y", "b": "y"},
        "i4": {"a": "x", "b": "x", "c": "y"},
        "i5": {"a": "x"},
    }
    kappa, items, raters = agreement.fleiss_for(answers, ["x", "y"])
    counts = np.array([[2, 0], [1, 1], [0, 2]])
    assert (items, raters) == (3, 2)
    assert kappa == pytest.approx(sm_fleiss(counts), abs=1e-12)


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval"])
@pytest.mark.parametrize("missing", [0.0, 0.3])
def test_krippendorff_matches_the_krippendorff_package(level, missing):
    data = noisy_raters(120, 4, 5, 0.35).astype(float)
    data[RNG.random(data.shape) < missing] = np.nan
    ours = agreement.krippendorff_alpha(data, level)
    ref = krippendorff.alpha(reliability_data=data, level_of_measurement=level)
    assert ours == pytest.approx(ref, abs=1e-9)


def test_krippendorff_on_krippendorffs_own_example():
    """The worked example of Krippendorff (2011), 4 coders x 12 units with gaps: nominal alpha 0.743."""
    nan = np.nan
    data = np.array(
        [
            [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
            [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
            [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
            [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
        ]
    )
    assert agreement.krippendorff_alpha(data, "nominal") == pytest.approx(0.743, abs=1e-3)
    assert agreement.krippendorff_alpha(data, "interval") == pytest.approx(0.849, abs=1e-3)


def test_reliability_matrix_and_busiest_pair():
    answers = {
        "i1": {"a": "low", "b": "high"},
        "i2": {"a": "high", "b": "high", "c": "low"},
        "i3": {"c": "low"},
    }
    m = agreement.reliability_matrix(answers, ["high", "low"])
    assert m.shape == (3, 3)
    assert np.isnan(m[0, 2]) and m[2, 2] == 1.0
    assert agreement.busiest_pair(answers) == ("a", "b")
