"""Synthetic web documents (seeded, no downloads) for tests, benchmarks and demos of the classifiers.

The mix imitates a crawl after cleaning: mostly middling prose, plus spam, boilerplate, forum chatter,
code, math problems, dialogs and multiple-choice items. Each generator returns (text, domain).
"""

from __future__ import annotations

import random

import pyarrow as pa

_NOUNS = (
    "product service team city market update price deal offer home garden car phone game recipe "
    "review guide season event school store company project report story photo video"
).split()
_ADJS = "best new great top cheap amazing easy quick free latest local official popular simple".split()
_VERBS = "check find get see make take buy use love need try visit share read watch".split()
_FILLER = (
    "In this post we will talk about the {a} {n} and why you should {v} it today. "
    "Many people {v} the {n} every day because it is {a}. "
    "There are a lot of things to know about {n} and we will cover some of them here. "
    "If you are looking for a {a} {n} then this is the right place for you. "
    "Our {n} is one of the {a} options on the market right now. "
    "Do not forget to {v} our other {n} pages for more {a} information. "
).split(". ")


def _fill(rng: random.Random, template: str) -> str:
    return template.format(a=rng.choice(_ADJS), n=rng.choice(_NOUNS), v=rng.choice(_VERBS))


def filler_prose(rng: random.Random, chars: int) -> str:
    out: list[str] = []
    while sum(map(len, out)) < chars:
        out.append(_fill(rng, rng.choice(_FILLER)).strip().rstrip(".") + ".")
        if rng.random() < 0.15:
            out.append("\n\n")
    return " ".join(out)


def spam(rng: random.Random, chars: int) -> str:
    parts = []
    while sum(map(len, parts)) < chars:
        parts.append(
            rng.choice(
                [
                    f"CLICK HERE for {rng.choice(_ADJS)} {rng.choice(_NOUNS)}!!!",
                    f"${rng.randint(1, 99)}.99 only",
                    "BUY NOW free shipping",
                    f"{rng.choice(_ADJS).upper()} {rng.choice(_NOUNS)} {rng.choice(_NOUNS)}",
                    "limited time offer",
                    "100% guaranteed",
                    "| login | cart (0) |",
                    "subscribe",
                    "best price",
                ]
            )
        )
    return " ".join(parts)


def boilerplate(rng: random.Random, chars: int) -> str:
    lines = []
    while sum(map(len, lines)) < chars:
        lines.append(
            rng.choice(
                [
                    "Home",
                    "About us",
                    "Contact",
                    "Privacy policy",
                    "Terms of use",
                    "Cookie settings",
                    f"Copyright {rng.randint(2005, 2025)} All rights reserved",
                    "Skip to content",
                    "Menu",
                    "We use cookies to improve your experience. Accept all",
                    f"Page {rng.randint(1, 40)} of 40",
                    f"Posted in {rng.choice(_NOUNS)}",
                    "Share on Facebook",
                    "Tweet",
                    "Related posts",
                ]
            )
        )
    return "\n".join(lines)


def forum(rng: random.Random, chars: int) -> str:
    lines = []
    while sum(map(len, lines)) < chars:
        lines.append(
            rng.choice(
                [
                    "lol same",
                    "thx!!",
                    "anyone know how to fix this??",
                    "bump",
                    "+1",
                    f"my {rng.choice(_NOUNS)} broke again smh",
                    "following",
                    "this ^^^",
                    f"just use the {rng.choice(_ADJS)} one",
                    "idk tbh",
                ]
            )
        )
    return "\n".join(lines)


def code(rng: random.Random, chars: int) -> str:
    funcs = []
    while sum(map(len, funcs)) < chars:
        name, k = f"{rng.choice(_VERBS)}_{rng.choice(_NOUNS)}", rng.randint(1, 9)
        funcs.append(
            f"def {name}(items, limit={k}):\n    total = 0\n    for item in items:\n"
            f"        if item > limit and item % 2 == 0:\n            total += item\n"
            f"    return total\n"
        )
    return "\n\n".join(funcs)


def math_problem(rng: random.Random, chars: int) -> str:
    a, b, c = rng.randint(2, 50), rng.randint(2, 50), rng.randint(2, 9)
    text = (
        f"A store sells {a} boxes with {b} pens each. How many pens are there if {c} boxes are "
        f"returned?\nPens in all boxes: {a} * {b} = {a * b}\nPens returned: {c} * {b} = {c * b}\n"
        f"Remaining: {a * b} - {c * b} = {(a - c) * b}\n#### {(a - c) * b}"
    )
    return text + ("\n\n" + filler_prose(rng, chars - len(text)) if chars > len(text) + 200 else "")


def dialog(rng: random.Random, chars: int) -> str:
    turns = []
    while sum(map(len, turns)) < chars:
        n = rng.choice(_NOUNS)
        turns += [
            f"User: How do I {rng.choice(_VERBS)} a {n}?",
            f"Assistant: You can {rng.choice(_VERBS)} a {rng.choice(_ADJS)} {n} from the settings page.",
        ]
    return "\n".join(turns)


def multiple_choice(rng: random.Random, chars: int) -> str:
    n = rng.choice(_NOUNS)
    return (
        f"Which {n} is the most {rng.choice(_ADJS)}?\nA) the {n} from the store\nB) a {rng.choice(_NOUNS)}\n"
        f"C) {rng.choice(_NOUNS)}\nD) none of the above\nAnswer: A"
    )


KINDS = {  # kind: (generator, domain, share of documents)
    "filler_prose": (filler_prose, "prose", 0.55),
    "spam": (spam, "other", 0.08),
    "boilerplate": (boilerplate, "other", 0.07),
    "forum": (forum, "dialog", 0.05),
    "code": (code, "code", 0.1),
    "math": (math_problem, "math", 0.07),
    "dialog": (dialog, "dialog", 0.05),
    "multiple_choice": (multiple_choice, "prose", 0.03),
}


def documents(n: int, seed: int = 0, mean_chars: int = 3000, day: str = "2024-01-01") -> pa.Table:
    """`n` documents shaped like `clean_documents` rows (doc_id, day, text, domain, kind)."""
    rng = random.Random(seed)
    kinds = list(KINDS)
    picks = rng.choices(kinds, weights=[KINDS[k][2] for k in kinds], k=n)
    rows = []
    for i, kind in enumerate(picks):
        make, domain, _ = KINDS[kind]
        chars = max(80, int(rng.expovariate(1 / mean_chars)) if mean_chars else 80)
        rows.append(
            {
                "doc_id": f"syn-{seed}-{i:07d}",
                "day": day,
                "text": make(rng, chars),
                "domain": domain,
                "kind": kind,
            }
        )
    return pa.Table.from_pylist(rows)
