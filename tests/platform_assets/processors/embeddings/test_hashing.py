"""`hashing_v1`: the docstring's examples, unit length, determinism, empty text."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from platform_assets.processors import embeddings


def _cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b)


def test_examples_from_the_docstring():
    enc = embeddings.build("hashing_v1")
    v = enc.encode(pa.array(["the cat sat on the mat", "the cat sat on a mat", "quarterly revenue rose 5%"]))
    assert v.shape == (3, 256) and v.dtype == np.float32
    assert _cos(v[0], v[1]) == pytest.approx(0.8, abs=0.1)
    assert abs(_cos(v[0], v[2])) < 0.1
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1, atol=1e-6)


def test_same_text_same_vector_whatever_the_batch():
    enc = embeddings.build("hashing_v1")
    alone = enc.encode(pa.array(["Lance stores vectors next to text."]))[0]
    batch = enc.encode(pa.array(["something else entirely", "Lance stores vectors next to text."]))[1]
    np.testing.assert_array_equal(alone, batch)


def test_empty_and_null_text_give_null_vectors():
    enc = embeddings.build("hashing_v1")
    v = enc.encode(pa.array(["", None, "words"]))
    assert not v[0].any() and not v[1].any()
    arr = embeddings.vector_array(v)
    assert arr.null_count == 2 and arr.type == pa.list_(pa.float32(), 256)


def test_unknown_encoder_names_the_registered_ones():
    with pytest.raises(KeyError, match="hashing_v1"):
        embeddings.build("nope_v1")
