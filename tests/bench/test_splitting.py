"""bench/splitting's own helpers (datatrove is bench-only): the docstring pages and the first difference."""

from bench import splitting

MODULE = '''"""The module."""

class A:
    """A class."""

    def f(self):
        """A method."""
'''


def test_docstrings_make_one_page_per_module():
    assert splitting._docstrings(MODULE) == "The module.\n\nA class.\n\nA method."
    assert splitting._docstrings("def broken(:\n") == ""


def test_prose_like_and_first_difference():
    assert splitting._prose_like("plain words and more words " * 20)
    assert not splitting._prose_like("1.0, 2.0, 3.0\n" * 50)
    assert splitting._first_diff(["a", "b"], ["a", "b"]) is None
    diff = splitting._first_diff(["Mr", ".", "X"], ["Mr.", "X"])
    assert diff == "ours ['Mr', '.', 'X'] / datatrove ['Mr.', 'X']"
