"""Every registered classifier's declared examples, run through the generic `apply` path."""

from __future__ import annotations

import pyarrow as pa
import pytest

from platform_assets.processors.classifiers import registry
from platform_assets.processors.classifiers.base import Between


@pytest.mark.parametrize("name", registry.names())
def test_examples(name, quality_model):
    cls = registry.classifier_class(name)
    assert cls.examples, f"{name} declares no examples"
    clf = registry.build(name, model=quality_model) if "model" in cls.needs else registry.build(name)
    for example in cls.examples:
        row = {"text": example.row} if isinstance(example.row, str) else example.row
        out = clf.apply(pa.RecordBatch.from_pylist([row]))
        assert set(out) == set(cls.schema().names)
        for key, want in example.expected.items():
            got = out[cls.column(key)][0].as_py()
            if isinstance(want, Between):
                assert got is not None and want.lo <= got <= want.hi, (name, row, key, got)
            elif isinstance(want, float):
                assert got == pytest.approx(want, abs=1e-6), (name, row, key)
            else:
                assert got == want, (name, row, key, got)


def test_registry_names_are_versioned_and_unique():
    names = registry.names()
    assert {"quality_v1", "domain_v1", "difficulty_math_v1", "difficulty_code_v1", "difficulty_mc_v1"} <= set(
        names
    )
    with pytest.raises(ValueError, match="_v<N>"):
        registry.register("unversioned")
    with pytest.raises(ValueError, match="already registered"):
        registry.register("domain_v1")(type("Other", (registry.Classifier,), {}))


def test_unknown_classifier_and_missing_needs():
    with pytest.raises(KeyError, match="unknown classifier 'nope_v1'"):
        registry.build("nope_v1")
    with pytest.raises(ValueError, match=r"needs \['model'\]"):
        registry.build("quality_v1")


def test_classifier_never_drops_rows_and_nulls_stay_null(quality_model):
    batch = pa.RecordBatch.from_pylist(
        [
            {"text": None, "domain": "math"},
            {"text": "x = 1 + 2", "domain": "math"},
            {"text": "plain words here", "domain": "prose"},
        ]
    )
    for name in registry.names():
        clf = (
            registry.build(name, model=quality_model)
            if "model" in registry.classifier_class(name).needs
            else registry.build(name)
        )
        out = clf.apply(batch)
        assert all(len(col) == 3 for col in out.values()), name
    math = registry.build("difficulty_math_v1").apply(batch)
    assert math["difficulty_math_v1__steps"].to_pylist() == [None, 1, None]
    assert (
        registry.build("quality_v1", model=quality_model).apply(batch)["score__quality_v1"][0].as_py() is None
    )
