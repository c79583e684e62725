"""English prose from sentence templates: titled articles of 100-1000 words in paragraphs.

Documents read like plain (if bland) web articles: stop words, punctuation, varied sentences and no
boilerplate, so good ones pass the Gopher, C4 and FineWeb rules; the low-quality planter breaks them
on purpose. Slots: N noun, Ns plural, aN "a/an noun", A adjective, aA "a/an adjective", V/Vs/Ved/Ving
verb forms, D adverb, P person, C place, Y year, K count.
"""

from __future__ import annotations

import re
from functools import cache

from platform_assets.cli.demo_data import words as w
from platform_assets.cli.demo_data.rng import FastRandom, derive

SENTENCES = """
The {A} {N} {Vs} the {N} of {Ns} in {C}.
Many {Ns} {V} {A} {Ns} when they {V} the {N}.
In {Y}, {P} {Ved} {aA} {N} that {Ved} how {Ns} {V} their {Ns}.
This is why the {N} is often {D} {Ved} by {Ns} and {Ns}.
According to {P}, the {N} of the {N} {Vs} {D} on the {N}.
It is worth it to {V} the {N} before you {V} any {Ns}.
Some {Ns} have {Ved} that {aA} {N} can {V} {A} {Ns}.
If you want to {V} your {N}, you should {V} the {A} {Ns} first.
Over the past {K} years, the number of {Ns} in {C} has {Ved} {D}.
{P} says that {aA} {N} is one of the best ways to {V} {Ns}.
There are {K} {A} {Ns} that {V} the {N}, and each of them {Vs} {aA} {N}.
While {Ving} the {N}, we {Ved} that the {Ns} were {A} and {A}.
The {N} was {Ved} in {Y} and has been {Ving} {Ns} ever since.
Most {Ns} do not {V} the {N} until they have {Ved} {aA} {N}.
The {A} {N} does not always {V} the {Ns} we expect.
For example, {aA} {N} can {V} the {N} by {Ving} {A} {Ns}.
Researchers at the University of {C} {Ved} {K} {Ns} over {K} months.
As a result, {Ns} that {V} the {N} tend to {V} more {Ns}.
We {Ved} the {N} with {P} and {Ved} the {A} {Ns} together.
What makes the {N} so {A} is that it {Vs} {Ns} without {Ving} the {N}.
You can {V} the {N} at home, but it is {D} easier to {V} it with {aA} {N}.
The {Ns} in this {N} are {A}, {A} and surprisingly {A}.
In other words, the {N} {Vs} the {N}, not the other way around.
{P} and {P} {Ved} the first {N} in {C} in {Y}.
Our {N} {Vs} {K} {Ns} a week, which is more than we {Ved} last year.
When the {N} {Vs} too {D}, the {Ns} around it {V} as well.
She {Ved} the {A} {N} and then {Ved} it to her {Ns}.
He has {Ved} {Ns} for {K} years and still {Vs} every {N} by hand.
Nobody {Ved} how {A} the {N} would be until the {Ns} {Ved} it.
A good {N} should {V} the {Ns} of everyone who {Vs} it.
The {N} near {C} is {A} for its {A} {Ns} and {A} {Ns}.
I {Ved} {aN} last spring, and it {Ved} the way I {V} my {Ns}.
Do not {V} the {N} too {D}; the {Ns} need time to {V}.
Why do so many {Ns} {V} the {N} instead of the {N}?
One {A} way to {V} {aN} is to {V} it with {A} {Ns}.
Both the {N} and the {N} {V} {A} {Ns}, but only one of them {Vs} the {N}.
By {Y}, almost every {N} in {C} had {Ved} {aA} {N}.
The {Ns} {Ved} by {P} were later {Ved} by {aA} {N}.
Even {aA} {N} can {V} the {Ns} if it is {Ved} {D}.
That is the main reason the {N} {Vs} {A} {Ns} every {N}.
Local {Ns} {Ved} the {N} after {P} {Ved} the {A} {Ns}.
Since then, the {N} has {Ved} more than {K} {A} {Ns}.
Each {N} {Vs} its own {N}, which makes the {Ns} {D} {A}.
The {A} {Ns} are easy to {V}, but the {N} is harder to {V}.
People who {V} {Ns} {D} tend to {V} fewer {Ns}.
On a {A} day, the {N} can {V} up to {K} {Ns}.
After {Ving} the {N}, {P} {Ved} a second {N} in {C}.
Without the {N}, the {Ns} would {V} much more {D}.
It took {K} weeks to {V} the {N}, and the {Ns} were worth it.
Few {Ns} {V} the {N} as {D} as the {A} {Ns} of {C}.
""".strip().splitlines()

OPENERS = ("However, ", "In addition, ", "For this reason, ", "Meanwhile, ", "Still, ", "Of course, ",
           "In practice, ", "At the same time, ", "Later, ", "Fortunately, ", "In many cases, ")

TITLES = ("How to {V} Your {N}", "{K} Ways to {V} {A} {Ns}", "Why {Ns} {V} the {N}", "The {A} {N} of {C}",
          "What We {Ved} About {Ns}", "A Guide to {A} {Ns}", "{Ns}, {Ns} and the {A} {N}",
          "Notes on {Ving} the {N}")

TOPICS = tuple(sorted(w.TOPIC_NOUNS))
_SLOT = re.compile(r"\{(\w+)\}")
Compiled = tuple[str, tuple[tuple[str, ...], ...], tuple[int, ...], bool]
MAX_SLOTS = max(len(_SLOT.findall(t)) for t in SENTENCES)


@cache
def pools(topic: str) -> dict[str, tuple[str, ...]]:
    """Slot values for one topic; topic nouns weigh three times as much as general ones."""
    nouns = w.TOPIC_NOUNS[topic] * 3 + w.GENERAL_NOUNS
    return {
        "N": nouns, "Ns": tuple(w.plural(n) for n in nouns), "aN": tuple(w.article(n) for n in nouns),
        "A": w.ADJECTIVES, "aA": tuple(w.article(a) for a in w.ADJECTIVES), "D": w.ADVERBS,
        "V": w.VERBS, "Vs": tuple(w.third_person(v) for v in w.VERBS),
        "Ved": tuple(w.past(v) for v in w.VERBS), "Ving": tuple(w.gerund(v) for v in w.VERBS),
        "P": tuple(f"{f} {s}" for f in w.FIRST_NAMES for s in w.LAST_NAMES), "C": w.PLACES,
        "Y": tuple(str(y) for y in range(1890, 2025)), "K": tuple(str(k) for k in range(2, 40)),
    }


def compile_templates(templates: tuple[str, ...] | list[str], pool: dict) -> list[Compiled]:
    """(format string, slot value lists, their lengths, may take an opener) per template."""
    out = []
    for template in templates:
        parts = _SLOT.split(template)
        slots = parts[1::2]
        values = tuple(pool[s] for s in slots)
        out.append(("{}".join(parts[0::2]), values, tuple(len(v) for v in values), bool(parts[0])))
    return out


@cache
def _compiled(topic: str) -> tuple[list[Compiled], list[Compiled]]:
    return compile_templates(SENTENCES, pools(topic)), compile_templates(TITLES, pools(topic))


def fill(rng: FastRandom, compiled: Compiled, draws: list[int] | None = None) -> str:
    fmt, values, lengths, _ = compiled
    draws = draws or rng.ints(len(values))
    return fmt.format(*[v[i % n] for v, n, i in zip(values, lengths, draws, strict=False)])


def sentence(rng: FastRandom, topic: str) -> str:
    """A freshly filled sentence (one block of random draws: template, opener, slots)."""
    templates = _compiled(topic)[0]
    pick, opener, which, *draws = rng.ints(3 + MAX_SLOTS)
    compiled = templates[pick % len(templates)]
    text = fill(rng, compiled, draws)
    if compiled[3] and opener % 5 == 0 and not text.startswith("I "):
        return OPENERS[which % len(OPENERS)] + text[0].lower() + text[1:]
    return text


@cache
def sentence_bank(seed: int, size: int = 4096) -> dict[str, tuple[str, ...]]:
    """`size` sentences per topic, shared by every Prose of one seed and size."""
    bank = {}
    for topic in TOPICS:
        rng = derive(seed, "bank", topic)
        bank[topic] = tuple(sentence(rng, topic) for _ in range(size))
    return bank


class Prose:
    """Articles, paragraphs and sentences on a topic, from one seeded stream.

    A share `reuse` of sentences comes from the seed's sentence bank, the rest is filled fresh. Filling
    templates is the generator's bottleneck and reuse makes it several times faster; with thousands of
    banked sentences per topic two unrelated articles share well under one sentence on average, so their
    word 5-gram Jaccard stays near zero.
    """

    def __init__(self, rng: FastRandom, bank: dict[str, tuple[str, ...]] | None = None, reuse: float = 0.85):
        self.rng, self.bank, self.reuse = rng, bank, int(reuse * 1000) if bank else 0

    def topic(self) -> str:
        return self.rng.choice(TOPICS)

    def sentence(self, topic: str) -> str:
        return self.paragraph(topic, 1)

    def paragraph(self, topic: str, sentences: int | None = None) -> str:
        # one block of draws: the length, then (banked or fresh, which one) per sentence
        draws = self.rng.ints(1 + 2 * max(7, sentences or 0))
        n = sentences or 3 + draws[0] % 5
        banked = self.bank[topic] if self.bank else ()
        out = [banked[which % len(banked)] if use % 1000 < self.reuse else sentence(self.rng, topic)
               for use, which in zip(draws[1:2 * n:2], draws[2:2 * n + 1:2], strict=True)]
        return " ".join(out)

    def title(self, topic: str) -> str:
        text = fill(self.rng, self.rng.choice(_compiled(topic)[1]))
        return " ".join(t if t in ("and", "the", "of", "to") else t[0].upper() + t[1:] for t in text.split())

    def paragraphs(self, topic: str, words: int) -> list[str]:
        paras, count = [], 0
        while count < words:
            paras.append(self.paragraph(topic))
            count += paras[-1].count(" ") + 1
        return paras

    def article(self, topic: str | None = None, words: int | None = None) -> str:
        """A titled article of about `words` words (default: 100-1000, most near 350)."""
        topic = topic or self.topic()
        words = words or int(self.rng.triangular(100, 1000, 350))
        return self.title(topic) + "\n\n" + "\n\n".join(self.paragraphs(topic, words))
