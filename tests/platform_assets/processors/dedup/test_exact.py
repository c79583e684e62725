import pyarrow as pa

from platform_assets.processors.dedup.exact import exact_hashes


def test_equal_after_case_and_whitespace_normalization_only():
    texts = pa.array(["Hello  World\n", "hello world", "Hello, World", "", None, "hello world"])
    h = exact_hashes(texts)
    assert h.shape == (6, 2)
    assert (h[0] == h[1]).all() and (h[1] == h[5]).all()
    assert not (h[1] == h[2]).all()
    assert (h[3] == h[4]).all()  # null counts as empty text
    assert not (h[3] == h[1]).all()


def test_sliced_input_hashes_like_the_whole():
    texts = pa.array(["a", "b b", "c  c c"])
    assert (exact_hashes(texts.slice(1)) == exact_hashes(texts)[1:]).all()
