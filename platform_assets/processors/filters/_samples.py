"""Sample texts shared by the filters' examples (a module starting with "_" registers nothing)."""

PROSE = (
    "The history of the town goes back to the twelfth century, when a small group of farmers settled "
    "near the river. Over the years they built a mill and a church, and the village grew into a market "
    "town that traded wool with the cities of the north. Today the old bridge is still standing, and "
    "visitors come to walk along the water and to see the houses that have been restored with care. "
    "The museum in the square tells the story of the people who lived and worked there. It is open "
    "every day except Monday, and the entry is free for children."
)
PROSE_LINES = PROSE.replace(". ", ".\n")
CODE = (
    "import os\n\n\ndef read_config(path):\n    with open(path) as handle:\n        data = handle.read()\n"
    "    return parse(data)\n\n\nclass Loader:\n    def __init__(self, root):\n        self.root = root\n"
)
MATH = (
    "Let $f(x) = x^2 + 3x - 4$. We want the roots of $f$, so we solve $x^2 + 3x - 4 = 0$.\n"
    "Factoring gives $(x + 4)(x - 1) = 0$, hence $x = -4$ or $x = 1$.\n"
    "By Vieta's formulas the sum of the roots is $-3$ and their product is $-4$, which checks out.\n"
    "$$\\int_0^1 f(x)\\,dx = \\frac{1}{3} + \\frac{3}{2} - 4 = -\\frac{13}{6}.$$"
)
DIALOG = (
    "User: Can you help me plan a trip to Lisbon in May?\n"
    "Assistant: Of course. How many days will you stay, and what do you enjoy most?\n"
    "User: Four days. I like food, old streets and a bit of history.\n"
    "Assistant: Then start in Alfama, take tram 28 to Graça, and keep one day for Sintra."
)
