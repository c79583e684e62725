"""Multi-turn user/assistant chats about everyday topics; turns are `User:` / `Assistant:` blocks."""

from __future__ import annotations

from functools import cache

from platform_assets.cli.demo_data.prose import Compiled, Prose, compile_templates, fill, pools
from platform_assets.cli.demo_data.rng import FastRandom

ASKS = ("Can you explain how {Ving} the {N} works?", "What is the best way to {V} {aN}?",
        "I am trying to {V} my {N}. Where should I start?", "Why do {Ns} {V} the {N} so often?",
        "Could you give me a few tips on {Ving} {Ns}?", "Is it a good idea to {V} the {N} every week?")
FOLLOW_UPS = ("Thanks! And what if the {N} is {A}?", "That makes sense. How long does it usually take?",
              "Could you give me an example?", "What should I avoid doing?")


@cache
def _chat_templates(topic: str) -> tuple[list[Compiled], list[Compiled]]:
    return compile_templates(ASKS, pools(topic)), compile_templates(FOLLOW_UPS, pools(topic))


def dialog(rng: FastRandom, prose: Prose) -> tuple[str, dict]:
    """(text, meta) of a 2-4 turn chat; turns are `User:` / `Assistant:` blocks."""
    topic = prose.topic()
    asks, follows = _chat_templates(topic)
    turns = rng.randint(2, 4)
    lines = []
    for turn in range(turns):
        question = fill(rng, rng.choice(asks if turn == 0 else follows))
        answer = " ".join(prose.paragraph(topic) for _ in range(rng.randint(1, 2)))
        lines += [f"User: {question}", f"Assistant: {answer}"]
    return "\n\n".join(lines), {"turns": turns, "topic": topic}
