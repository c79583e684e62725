"""Low-quality prose pages, each built to trip specific Gopher / C4 / FineWeb rules.

`DEFECTS[name] = (make, trips)`: `trips` lists `filter:reason` codes (datatrove's reason names, see
../shared/reference/peers.md) that each reject the page on its own; the first is the one it was built for.
"""

from __future__ import annotations

from collections.abc import Callable

from platform_assets.cli.demo_data import words as w
from platform_assets.cli.demo_data.prose import Prose
from platform_assets.cli.demo_data.rng import FastRandom

LOREM = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut "
         "labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris "
         "nisi ut aliquip ex ea commodo consequat.")
KEYWORDS = ("cheap flights hotel deals discount booking best price online shop sale offers free shipping "
            "coupon codes luxury watches designer bags replica shoes outlet store wholesale bargain promo "
            "limited offer buy now click here top rated").split()
REPLIES = ("Great post!", "Thanks for sharing.", "Agreed.", "Nice work!", "So true.", "Love this!",
           "Well said.", "Same here.", "Bookmarked!", "Thank you!", "Interesting.", "Good point.", "Wow!",
           "Spot on.", "Helpful, thanks.", "Me too!", "Great read.", "Totally.", "Cool!", "Noted.")
STOP_WORDS = {"the", "be", "to", "of", "and", "that", "have", "with"}


def _too_short(rng: FastRandom, prose: Prose) -> str:
    topic = prose.topic()
    return prose.title(topic) + "\n\n" + prose.sentence(topic) + " Click here to read more."


def _repetitive_lines(rng: FastRandom, prose: Prose) -> str:
    topic = prose.topic()
    repeated = prose.paragraph(topic)
    return "\n\n".join([prose.title(topic)] + [repeated] * rng.randint(6, 10) + [prose.paragraph(topic)])


def _lorem_ipsum(rng: FastRandom, prose: Prose) -> str:
    return prose.article(words=rng.randint(150, 400)) + "\n\n" + LOREM


def _bullet_heavy(rng: FastRandom, prose: Prose) -> str:
    topic = prose.topic()
    mark = rng.choice(("- ", "• "))
    bullets = [mark + prose.sentence(topic) for _ in range(rng.randint(20, 35))]
    return "\n".join([prose.title(topic), *bullets])


def _ellipsis_lines(rng: FastRandom, prose: Prose) -> str:
    topic = prose.topic()
    # 14 words per line keeps "..." per word under Gopher's 0.1, so only the end-of-line rule trips
    teasers = [" ".join(prose.sentence(topic).split()[:14]) + "..." for _ in range(rng.randint(12, 20))]
    return "\n".join([prose.title(topic)] + teasers)


def _no_stop_words(rng: FastRandom, prose: Prose) -> str:
    lines = [[rng.choice(KEYWORDS) for _ in range(rng.randint(8, 14))] for _ in range(rng.randint(8, 14))]
    return "\n".join(" ".join(line) for line in lines)


def _hash_heavy(rng: FastRandom, prose: Prose) -> str:
    topic = prose.topic()
    tags = " ".join("#" + rng.choice(KEYWORDS) for _ in range(rng.randint(40, 70)))
    return prose.paragraph(topic, 4) + "\n\n" + tags


def _short_lines(rng: FastRandom, prose: Prose) -> str:
    """A comment thread of short replies: each line ends with punctuation and none repeats."""
    combos = [f"{name}: {reply}" for name in w.FIRST_NAMES for reply in REPLIES]
    comments = rng.sample(combos, rng.randint(40, 60))
    return "\n".join([prose.paragraph(prose.topic(), 5), *comments])


def _curly_braces(rng: FastRandom, prose: Prose) -> str:
    text = prose.article(words=rng.randint(200, 500))
    return text + "\n\nTo personalise the letter, replace {first_name} and {city} with your own details."


def _low_alpha(rng: FastRandom, prose: Prose) -> str:
    rows = [f"{1990 + i} | {rng.randint(100, 99999):,} | {rng.random() * 20:.1f}% | {rng.random() * 100:.2f}"
            for i in range(rng.randint(25, 40))]
    return prose.title(prose.topic()) + "\n\n" + "\n".join(rows)


Make = Callable[[FastRandom, Prose], str]
DEFECTS: dict[str, tuple[Make, tuple[str, ...]]] = {
    "too_short": (_too_short, ("gopher_quality:gopher_short_doc", "c4_quality:too_few_sentences")),
    "repetitive_lines": (_repetitive_lines, ("gopher_repetition:dup_para_frac",
                                             "gopher_repetition:dup_line_frac",
                                             "fineweb_quality:char_dup_ratio")),
    "lorem_ipsum": (_lorem_ipsum, ("c4_quality:lorem_ipsum",)),
    "bullet_heavy": (_bullet_heavy, ("gopher_quality:gopher_too_many_bullets",)),
    "ellipsis_lines": (_ellipsis_lines, ("gopher_quality:gopher_too_many_end_ellipsis",)),
    "no_stop_words": (_no_stop_words, ("gopher_quality:gopher_enough_stop_words",)),
    "hash_heavy": (_hash_heavy, ("gopher_quality:gopher_too_many_hashes",)),
    # Punctuation tokens count as words (as in datatrove), so Gopher's alpha rule fails these first.
    "short_lines": (_short_lines, ("fineweb_quality:short_line_ratio",
                                   "gopher_quality:gopher_below_alpha_threshold")),
    "curly_braces": (_curly_braces, ("c4_quality:curly_bracket",)),
    "low_alpha": (_low_alpha, ("gopher_quality:gopher_below_alpha_threshold",)),
}
