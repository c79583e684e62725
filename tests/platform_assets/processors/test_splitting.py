"""Word and sentence splitting as datatrove 0.10.1 splits English (spaCy's blank tokenizer and sentencizer).

Every expected list below was written out by hand from spaCy's rules; bench/splitting.py compares the whole
splitter with datatrove itself on real text.
"""

import pyarrow as pa

from platform_assets.processors.features import TextBatch
from platform_assets.processors.filters.c4_quality import C4Quality
from platform_assets.processors.filters.gopher_quality import GopherQuality
from platform_assets.processors.splitting import sentence_counts, split_words


def words(text: str) -> list[str]:
    """The words the Gopher and FineWeb filters count."""
    return TextBatch.from_texts([text]).words.lists[0].as_py()


def sentences(*lines: str) -> list[int]:
    return sentence_counts(pa.array(lines, pa.large_string())).tolist()


def test_abbreviations_keep_their_period():
    assert words("Mr. Smith met Dr. Who at Acme Inc. on St. Lawrence Ave.") == [
        *("Mr.", "Smith", "met", "Dr.", "Who", "at", "Acme", "Inc."),
        *("on", "St.", "Lawrence", "Ave", "."),
    ]
    # cut at the infix "." (lower case, then upper case), then joined back into the abbreviation
    assert words("Mr.Smith (e.g., U.S.A.)") == ["Mr.", "Smith", "(", "e.g.", ",", "U.S.A.", ")"]


def test_leading_symbols_that_are_no_prefix_stay_on_the_word():
    assert words("|Home @user @03:00PM #tag") == ["|Home", "@user", "@03:00PM", "#", "tag"]


def test_ampersand_and_hyphen_inside_a_word():
    assert words("Q&A for K-6 and well-known AT&T") == [
        *("Q&A", "for", "K-6", "and", "well", "-", "known", "AT&T"),
    ]


def test_underscore_runs():
    assert words("foo____bar ____ __init__") == ["foo____bar", *"____", "_", "_", "init", "_", "_"]


def test_missing_space_after_a_sentence():
    assert words("the customer.These are") == ["the", "customer", ".", "These", "are"]


def test_contractions_numbers_units_urls_and_emails():
    assert words("I'm sure you don't, dont you? 5km at 5pm costs $3.50") == [
        *("I", "'m", "sure", "you", "do", "n't", ",", "do", "nt", "you", "?"),
        *("5", "km", "at", "5", "pm", "costs", "$", "3.50"),
    ]
    assert words("See https://x.example/a?b=1, or mail a@b.org.") == [
        *("See", "https://x.example/a?b=1", ",", "or", "mail", "a@b.org", "."),
    ]


def test_sentence_counts_follow_the_sentencizer():
    assert sentences(
        "St. Lawrence flows east. It is long.",  # no break after an abbreviation
        "The customer.These are two.",  # a break with no space
        "Wait... what? Yes!",  # an ellipsis is no terminal
        'He said "stop." Then left.',  # the quote stays in the first sentence
        "One.",
        "",
    ) == [2, 2, 2, 2, 1, 1]


def test_c4_counts_sentences_as_datatrove_does():
    abbreviations = "\n".join(  # four sentences, though five periods are followed by a space
        [
            "Mr. Brown sailed up the St. Lawrence river.",
            "He reached the town by night.",
            "The harbour was quiet and dark.",
            "He slept on the boat.",
        ]
    )
    assert C4Quality().judge(TextBatch.from_texts([abbreviations])).reasons.tolist() == ["too_few_sentences"]
    no_spaces = (  # five sentences, though only two periods are followed by a space
        "We thanked the customer.These notes follow.\nThe order shipped today.Payment cleared.\nAll is done."
    )
    assert C4Quality().judge(TextBatch.from_texts([no_spaces])).reasons.tolist() == [None]


def test_gopher_symbol_words_are_datatroves_punctuation():
    rules = {k: None for k in GopherQuality.model_fields if k.startswith(("max_", "min_"))}
    only_length = GopherQuality(**{**rules, "min_doc_words": 50})
    texts = ["word " * 49 + mark for mark in ("©", "•", "‘", "!", "...", "—")]  # © • ‘ are words to datatrove
    reasons = only_length.judge(TextBatch.from_texts(texts)).reasons.tolist()
    assert reasons == [None] * 3 + ["gopher_short_doc"] * 3


def test_split_words_on_a_sliced_array_with_nulls():
    texts = pa.array(["skip me", "It's e.g. fine.", None, "Q&A"], pa.large_string()).slice(1)
    assert split_words(texts).to_pylist() == [["It", "'s", "e.g.", "fine", "."], [], ["Q&A"]]
