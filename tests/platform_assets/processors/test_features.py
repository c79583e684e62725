"""Batch features: the word splitter (datatrove/spaCy-compatible on prose), lines, byte counts, duplicates."""

import numpy as np
import pyarrow as pa

from platform_assets.processors.features import ASCII_LETTERS, TextBatch, byte_table


def words(text):
    return TextBatch.from_texts([text]).words.lists[0].as_py()


def test_words_split_punctuation_like_spacy():
    assert words("He said: \"don't go!\" It's well-known...") == [
        "He",
        "said",
        ":",
        '"',
        "do",
        "n't",
        "go",
        "!",
        '"',
        "It",
        "'s",
        "well",
        "-",
        "known",
        "...",
    ]


def test_words_keep_numbers_urls_emails_and_abbreviations_whole():
    assert words("Pay $3.50 (1,200 in all) by 10:30, e.g. at https://x.example/a?b=1 or a@b.org") == [
        "Pay",
        "$",
        "3.50",
        "(",
        "1,200",
        "in",
        "all",
        ")",
        "by",
        "10:30",
        ",",
        "e.g.",
        "at",
        "https://x.example/a?b=1",
        "or",
        "a@b.org",
    ]


def test_lines_and_duplicates_on_a_sliced_array():
    texts = pa.array(["skip me", "a\nb\na\n\n\nb", "x"], pa.large_string()).slice(1)
    batch = TextBatch(texts)
    assert batch.lines.counts.tolist() == [6, 1]
    dups, chars = batch.lines.duplicates(where=batch.nonblank)
    assert dups.tolist() == [2, 0] and chars.tolist() == [2, 0]


def test_count_bytes_counts_non_ascii_characters_once():
    batch = TextBatch(pa.array(["skip", "héllo wörld 12", "日本"], pa.large_string()).slice(1))
    assert batch.count_bytes(byte_table(ASCII_LETTERS, non_ascii=True)).tolist() == [10, 2]
    assert batch.n_chars.tolist() == [14, 2]


def test_count_bytes_within_a_prefix_of_each_document():
    batch = TextBatch(pa.array(["x", "a b c\nd", "", "e f", None], pa.large_string()).slice(1))
    spaces = byte_table(" \n", non_ascii=False)
    assert batch.count_bytes(spaces).tolist() == [3, 0, 1, 0]
    assert batch.count_bytes(spaces, np.array([3, 5, 1, 0])).tolist() == [1, 0, 0, 0]
