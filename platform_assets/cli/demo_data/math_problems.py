"""Math word problems with worked steps and a numeric answer; one in four is a multiple-choice item.

Every sentence has several phrasings and the names, places and objects vary, so two problems of the same
kind share few word 5-grams (unplanted math pairs stay well below the near-duplicate bands). A
multiple-choice item lists four lettered options (`A) 1575` .. `D) 1580`, the answer among near misses)
after the question, then the worked steps and `Answer: 1575 (A)`.
"""

from __future__ import annotations

from collections.abc import Callable

from platform_assets.cli.demo_data import words as w
from platform_assets.cli.demo_data.rng import FastRandom

Problem = tuple[list[str], list[str], float]  # question sentences, steps, answer
GOODS = ("loaves of bread", "boxes of apples", "concert tickets", "potted plants", "jars of honey",
         "notebooks", "bicycle helmets", "bags of rice", "scarves", "phone cases", "candles", "coffee mugs",
         "kites")
ITEMS = ("jacket", "bicycle", "lamp", "backpack", "printer", "sofa", "camera", "kettle", "desk", "tent")
LETTERS = "ABCD"
MC_EVERY = 4  # one problem in MC_EVERY is asked as multiple choice
OPENERS = ("", "Here is a question from a {place} school worksheet. ",
           "{name} found this puzzle in a magazine. ", "A teacher in {place} wrote this on the board. ",
           "Try this one before lunch. ")


def _pick(rng: FastRandom, *options: str) -> str:
    return rng.choice(options)


def _rate(rng: FastRandom) -> Problem:
    who, item, a, b, days = rng.choice(w.FIRST_NAMES), rng.choice(GOODS), rng.randint(12, 190), \
        rng.randint(5, 160), rng.randint(2, 19)
    place, per = rng.choice(w.PLACES), a + b
    return [_pick(rng, f"{who} runs a stall in {place} and sells {a} {item} each morning.",
                  f"Every morning {who} sells {a} {item} at a market in {place}.",
                  f"At a shop in {place}, {who} sells {a} {item} before noon."),
            _pick(rng, f"In the afternoon another {b} are sold.", f"After lunch {who} sells {b} more.",
                  f"Later in the day {b} more are bought by customers."),
            _pick(rng, f"How many are sold in {days} days?", f"What is the total after {days} days?",
                  f"If this goes on for {days} days, how many does {who} sell?")], \
        [f"One day: {a} + {b} = {per}.", f"{days} days: {per} × {days} = {per * days}."], per * days


def _percent(rng: FastRandom) -> Problem:
    price, item = rng.randint(20, 900), rng.choice(ITEMS)
    pct = rng.choice((5, 10, 12, 15, 20, 25, 30, 35, 40, 50))
    off = price * pct / 100
    final = round(price - off, 2)
    return [_pick(rng, f"A {item} is priced at ${price}.", f"The regular price of a {item} is ${price}.",
                  f"{rng.choice(w.FIRST_NAMES)} wants a {item} that costs ${price}."),
            _pick(rng, f"The store takes {pct}% off.", f"This week it is {pct}% cheaper.",
                  f"A coupon gives a {pct}% discount."),
            _pick(rng, "What does it cost now?", "What is the new price?", "What is paid at the till?")], \
        [f"Discount: {price} × {pct}/100 = {off:g}.", f"Price: {price} − {off:g} = {final:g}."], final


def _area(rng: FastRandom) -> Problem:
    length, width, cost = rng.randint(3, 60), rng.randint(2, 40), rng.randint(3, 45)
    area = length * width
    thing = rng.choice(("garden", "classroom floor", "patio", "yard", "hall", "roof"))
    cover = rng.choice(("turf", "tiles", "paint", "carpet", "gravel"))
    return [_pick(rng, f"A {thing} measures {length} m by {width} m.",
                  f"The {thing} is {length} m long and {width} m wide.",
                  f"Someone in {rng.choice(w.PLACES)} has a {length} m × {width} m {thing}."),
            _pick(rng, f"Covering it with {cover} costs ${cost} per square metre.",
                  f"{cover.capitalize()} is ${cost} for each square metre."),
            _pick(rng, "Find the total cost.", "How much will the job cost?", "What is the bill?")], \
        [f"Area: {length} × {width} = {area} m².", f"Cost: {area} × {cost} = {area * cost}."], area * cost


def _ages(rng: FastRandom) -> Problem:
    child, gap, years = rng.randint(2, 30), rng.randint(18, 45), rng.randint(2, 25)
    a, b = rng.sample(w.FIRST_NAMES, 2)
    now = child + gap
    return [_pick(rng, f"{a} is {gap} years older than {b}.",
                  f"The age gap between {a} and {b} is {gap} years, {a} being older.",
                  f"{b} was born {gap} years after {a}."),
            _pick(rng, f"{b} is {child} today.", f"Right now {b} is {child} years old."),
            _pick(rng, f"How old is {a} in {years} years?", f"What age is {a} {years} years from now?")], \
        [f"{a} today: {child} + {gap} = {now}.", f"Later: {now} + {years} = {now + years}."], now + years


def _speed(rng: FastRandom) -> Problem:
    speed, hours, minutes = rng.randint(12, 240), rng.randint(1, 9), rng.choice((0, 10, 15, 20, 30, 40, 45))
    vehicle = rng.choice(("train", "bus", "cyclist", "ferry", "truck", "runner"))
    time = round(hours + minutes / 60, 4)
    dist = round(speed * time, 2)
    return [_pick(rng, f"A {vehicle} keeps a steady {speed} km/h.",
                  f"The {vehicle} averages {speed} km per hour.",
                  f"Leaving {rng.choice(w.PLACES)}, a {vehicle} moves at {speed} km/h."),
            _pick(rng, f"It travels for {hours} h {minutes} min.", f"The trip is {hours} h, {minutes} min."),
            _pick(rng, "How far does it go?", "What distance is covered?", "How many kilometres is that?")], \
        [f"Time: {hours} + {minutes}/60 = {time:g} h.", f"Distance: {speed} × {time:g} = {dist:g} km."], dist


def _share(rng: FastRandom) -> Problem:
    people, per, extra = rng.randint(3, 30), rng.randint(2, 40), rng.randint(1, 2)
    total = people * per + min(extra, people - 1)
    left = total - people * per
    thing = rng.choice(("pencils", "stickers", "marbles", "cards", "sweets", "seeds"))
    return [_pick(rng, f"There are {total} {thing} to hand out.", f"A box holds {total} {thing}."),
            _pick(rng, f"Each of {people} children gets the same number.", f"They are shared fairly among "
                  f"{people} pupils."),
            _pick(rng, "How many does each child get?", "What is each share, and what is left?")], \
        [f"{total} ÷ {people} = {per} remainder {left}."], per


KINDS: dict[str, Callable[[FastRandom], Problem]] = {
    "rate": _rate, "percent": _percent, "area": _area, "ages": _ages, "speed": _speed, "share": _share,
}


def _options(rng: FastRandom, answer: float) -> list[str]:
    """The answer and three distinct near misses (an off-by-one, a slip of a few units, a factor of ten)."""
    misses = (answer - 1, answer + 1, answer - 5, answer + 10, answer * 10, answer / 10)
    near = {f"{v:g}" for v in misses if v > 0}
    wrong = rng.sample(sorted(near - {f"{answer:g}"}), 3)
    return rng.sample([f"{answer:g}", *wrong], 4)


def math_problem(rng: FastRandom) -> tuple[str, dict]:
    """(text, meta) of one worked problem; meta holds the kind, the numeric answer and, for a multiple-choice
    item, the letter of the right option."""
    kind = rng.choice(sorted(KINDS))
    question, steps, answer = KINDS[kind](rng)
    opener = rng.choice(OPENERS).format(place=rng.choice(w.PLACES), name=rng.choice(w.FIRST_NAMES))
    head, solve, end = rng.choice((("Problem:", "Solution:", "Answer:"), ("Question:", "Worked answer:",
                                   "Final answer:"), ("Exercise.", "Steps:", "Result:")))
    if rng.randint(1, MC_EVERY) == 1:
        options = _options(rng, answer)
        letter = LETTERS[options.index(f"{answer:g}")]
        lines = "\n".join(f"{c}) {o}" for c, o in zip(LETTERS, options, strict=True))
        text = (f"Question: {opener}{' '.join(question)}\n{lines}\n\nSolution:\n" + "\n".join(steps)
                + f"\n\nAnswer: {answer:g} ({letter})")
        return text, {"kind": kind, "answer": answer, "option": letter}
    text = f"{head} {opener}{' '.join(question)}\n\n{solve}\n" + "\n".join(steps) + f"\n\n{end} {answer:g}"
    return text, {"kind": kind, "answer": answer}
