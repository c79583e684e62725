"""Exact outputs of the decontamination semantics: windows, splitting, thresholds, presets, canaries."""

import random

import pytest

from bench import decontam_reference as ref
from platform_assets.processors import decontam as D

LM, DT = D.PRESETS["lm_eval"], D.PRESETS["datatrove"]
ITEM = (
    "Which process best explains why the leaves of a potted basil plant slowly turn toward "
    "the sunny kitchen window over several days"
)  # 22 words
WORDS = ITEM.split()
FILLER = "lorem " * 100  # 600 characters


def rows_of(texts, preset=LM, items=(("s", "q1", ITEM),), canaries=None):
    index = D.NgramIndex.build(list(items), preset.n)
    return D.check_texts([f"d{i}" for i in range(len(texts))], texts, index, preset, canaries)


@pytest.mark.parametrize(
    ("length", "spans", "expected"),
    [
        (1000, [(450, 500)], D.Decision("cut", "ngram_cut", [[250, 700]], [[0, 250], [700, 1000]])),
        # a piece of exactly 200 characters is dropped with the window; 201 is kept
        (1000, [(400, 450)], D.Decision("cut", "ngram_cut", [[0, 650]], [[650, 1000]])),
        (1000, [(401, 450)], D.Decision("cut", "ngram_cut", [[201, 650]], [[0, 201], [650, 1000]])),
        # overlapping windows merge into [100, 1150); the 100-character head is too short to keep
        (
            2000,
            [(300, 350), (500, 550), (900, 950)],
            D.Decision("cut", "ngram_cut", [[0, 1150]], [[1150, 2000]]),
        ),
        # a 50-character gap between two windows is dropped with them
        (
            2000,
            [(700, 750), (1200, 1250)],
            D.Decision("cut", "ngram_cut", [[500, 1450]], [[0, 500], [1450, 2000]]),
        ),
        (600, [(250, 300)], D.Decision("drop", "no_clean_piece", [], [])),
    ],
)
def test_decide_cuts_windows_and_drops_short_pieces(length, spans, expected):
    assert D.decide(length, spans, LM) == expected


def test_window_clips_to_text_and_merges():
    assert D.windows(500, [(10, 20), (150, 160), (450, 480)], 200) == [[0, 500]]
    assert D.windows(2000, [(300, 350), (800, 850)], 200) == [[100, 550], [600, 1050]]


def test_more_than_ten_matches_drops_the_document():
    ten = [(1000 + 10 * i, 1005 + 10 * i) for i in range(10)]
    assert D.decide(5000, ten, LM).action == "cut"
    assert D.decide(5000, ten + [(1200, 1205)], LM) == D.Decision("drop", "too_many_matches", [], [])
    assert D.decide(5000, ten[:1], DT) == D.Decision("drop", "ngram_match", [], [])


def test_one_13gram_in_text_is_cut_with_exact_spans():
    phrase = " ".join(WORDS[:13])
    text = FILLER + phrase + " " + FILLER
    end = 600 + len(phrase)
    [row] = rows_of([text])
    assert row | {"spans": None} == {
        "doc_id": "d0",
        "eval_set": "s",
        "item_id": "q1",
        "matched_ngrams": 1,
        "ngram_texts": ["which process best explains why the leaves of a potted basil plant slowly"],
        "doc_matches": 1,
        "action": "cut",
        "reason": "ngram_cut",
        "kept_spans": [[0, 400], [end + 200, len(text)]],
        "preset": "lm_eval",
        "spans": None,
    }
    assert row["spans"] == [[400, end + 200]]
    assert D.cut_text(text, row["kept_spans"]) == [FILLER[:400], FILLER[199:]]


def test_case_and_punctuation_do_not_hide_a_match():
    shouted = ", ".join(w.upper() for w in WORDS[:13]) + "!"
    [row] = rows_of([FILLER + "(" + shouted + ") " + FILLER])
    end = 600 + len("(" + shouted + ")")
    assert (row["matched_ngrams"], row["action"], row["spans"]) == (1, "cut", [[400, end + 200]])
    assert row["ngram_texts"] == [" ".join(WORDS[:13]).lower()]


def test_a_row_keeps_the_first_20_matched_ngrams_and_counts_all():
    bigrams = D.Preset("bigrams", n=2, max_matches=100)
    [row] = rows_of([FILLER + ITEM + " " + FILLER], bigrams)  # 22 words: 21 matching 2-grams
    assert row["matched_ngrams"] == 21
    assert row["ngram_texts"] == [
        "which process", "process best", "best explains", "explains why", "why the", "the leaves",
        "leaves of", "of a", "a potted", "potted basil", "basil plant", "plant slowly", "slowly turn",
        "turn toward", "toward the", "the sunny", "sunny kitchen", "kitchen window", "window over",
        "over several",
    ]


def test_ngram_text_normalises_like_the_index():
    assert D.ngram_text("İt's\tNAÏVE -- a\x00b, ÉCOLE! 𝔘x") == "İts naïve ab école 𝔘x"


def test_twelve_shared_words_pass_lm_eval_but_not_datatrove():
    text = FILLER + " ".join(WORDS[3:15]) + " " + FILLER
    assert rows_of([text], LM) == []
    [row] = rows_of([text], DT)
    assert (row["item_id"], row["matched_ngrams"], row["action"]) == ("q1", 1, "drop")
    assert row["reason"] == "ngram_match"


def test_eleven_matches_drop_ten_cut():
    ten = rows_of([FILLER + " ".join(WORDS[:22]) + " " + FILLER])  # 22 words: 10 thirteen-grams
    assert [(r["doc_matches"], r["action"]) for r in ten] == [(10, "cut")]
    eleven = rows_of([FILLER + ITEM + " plant " + FILLER], items=(("s", "q1", ITEM + " plant"),))
    assert [(r["doc_matches"], r["action"], r["reason"]) for r in eleven] == [
        (11, "drop", "too_many_matches")
    ]


def test_canary_drops_and_is_reported_without_an_item():
    canary = "MASLOW TEST CANARY 0000-1111"
    text = "clean text " * 50 + canary + " more"
    [row] = rows_of([text, "nothing here"], canaries={canary: "s"})
    assert (row["doc_id"], row["item_id"], row["action"], row["reason"]) == ("d0", None, "drop", "canary")
    assert row["spans"] == [[550, 550 + len(canary)]]


def test_ngrams_never_cross_documents_in_a_batch():
    assert rows_of([FILLER + " ".join(WORDS[:6]), " ".join(WORDS[6:13]) + FILLER]) == []


def test_item_shorter_than_n_adds_nothing_to_the_index():
    index = D.NgramIndex.build([("s", "short", " ".join(WORDS[:12])), ("s", "long", ITEM)], 13)
    assert len(index.hashes) == 10 and set(index.item.tolist()) == {1}
    empty = D.NgramIndex.build([("s", "short", "too short")], 13)
    assert len(empty.hashes) == 0 and rows_of(["too short " * 40], items=(("s", "short", "too short"),)) == []


def test_shared_ngram_is_attributed_to_every_item():
    other = ("s", "q2", " ".join(WORDS[:13]) + " and something else entirely")
    rows = rows_of([FILLER + " ".join(WORDS[:13]) + " " + FILLER], items=(("s", "q1", ITEM), other))
    got = [(r["item_id"], r["matched_ngrams"], r["doc_matches"]) for r in rows]
    assert got == [("q1", 1, 1), ("q2", 1, 1)]


@pytest.mark.parametrize("preset", [LM, DT, D.Preset("small", n=4, max_matches=3, window=20, min_piece=10)])
def test_vectorised_checker_equals_plain_python_reference(preset):
    rng = random.Random(7)
    vocab = [
        "the",
        "Cat",
        "sat",
        "on",
        "mat",
        "it's",
        "-",
        "...",
        "naïve",
        "ÉCOLE",
        "İstanbul",
        "𝔘x",
        "a,b",
        "42",
    ]
    items = [("s", f"i{k}", " ".join(rng.choices(vocab, k=rng.randint(3, 30)))) for k in range(20)]
    docs = []
    for _ in range(200):
        parts = [" ".join(rng.choices(vocab, k=rng.randint(1, 120))) for _ in range(rng.randint(1, 5))]
        parts.insert(rng.randint(0, len(parts)), rng.choice(items)[2][: rng.randint(0, 200)])
        docs.append(rng.choice([" ", "\n", " \t "]).join(parts) + rng.choice(["", " CANARY-X"]))
    ids = [f"d{i}" for i in range(len(docs))]
    got = D.check_texts(ids, docs, D.NgramIndex.build(items, preset.n), preset, {"CANARY-X": "s"})
    expected = ref.check(
        ids,
        docs,
        ref.build_index(items, preset.n),
        preset.n,
        preset.window,
        preset.max_matches,
        preset.min_piece,
        {"CANARY-X": "s"},
    )
    got = sorted((tuple(r[k] for k in ref.ROW_COLUMNS) for r in got), key=lambda r: (r[0], r[1], r[2] or ""))
    assert got == expected
    assert len(expected) > 50


def _janitor_pieces(length: int, spans: list[tuple[int, int]], window=200, min_piece=200) -> list[list[int]]:
    """Janitor's `_split_chunks` in our words: word ends are inclusive indices, the splice restarts at
    `end + window`, the last piece starts one past the last cut end and is kept at `min_piece` characters."""
    pieces, splice, end = [], 0, -1
    for start, stop in spans:
        start, end = max(0, start - window), min(length, stop - 1 + window)  # stop - 1: inclusive end
        if start - splice > min_piece:
            pieces.append([splice, start])
        splice = end
    if end < length - min_piece:
        pieces.append([end + 1, length])
    return pieces


@pytest.mark.parametrize("seed", range(40))
def test_cut_widths_differ_from_janitor_exactly_as_documented(seed):
    rng = random.Random(seed)
    length = rng.randrange(1500, 4000)
    starts = sorted(rng.sample(range(0, length - 80), rng.randrange(1, 4)))
    spans = [(s, s + rng.randrange(40, 80)) for s in starts]
    ours = D.decide(length, spans, D.PRESETS["lm_eval"]).kept
    theirs = _janitor_pieces(length, spans)
    last = theirs[-1] if theirs and theirs[-1][1] == length else None
    # Documented: a piece between matches starts one character earlier in janitor; the last piece starts
    # where ours does and janitor keeps it already at exactly 200 characters; the first piece is the same.
    expected = [[a + 1, b] if a > 0 and b < length else [a, b] for a, b in theirs]
    if last is not None and last[1] - last[0] == 200:
        expected = expected[:-1]
    merged = [p for p in expected if p[1] - p[0] > 200 or p[1] == length]
    assert ours == merged, (spans, length)
