"""One whitespace-separated chunk into its tokens, by spaCy's algorithm (the one datatrove's English word
splitter runs), over the rules in `rules` and the special cases in `exceptions`.

1. A chunk that is a special case becomes its listed pieces.
2. Else prefixes and suffixes come off, one of each per round, until none is left, the rest is a special
   case, or taking one off leaves a special case (which then ends it).
3. The rest is one token if it is a special case's pieces, a URL or an e-mail address; else it is cut at its
   infixes.
4. A run of adjacent tokens that spells a special case and was cut as the affix rules alone cut it is joined
   back (Mr.Smith -> Mr. Smith): spaCy's special-case matcher, within the chunk. spaCy's matcher also sees
   runs across a space, which never join but can block a join inside the next chunk (": (:class" keeps
   "(" ":" apart there, since ": (" spells the emoticon ":("); that is the one difference left on the bench.
"""

from __future__ import annotations

from functools import cache, lru_cache

from platform_assets.processors.splitting import rules
from platform_assets.processors.splitting.exceptions import SPECIAL_CASES

_NO_SPECIALS: dict[str, tuple[str, ...]] = {}


@lru_cache(maxsize=1 << 18)
def split_chunk(chunk: str) -> tuple[str, ...]:
    """The tokens of `chunk` (a string without whitespace), in order; they concatenate back to it."""
    tokens = _affixes(chunk, SPECIAL_CASES)
    return _join_specials(tokens) if len(tokens) > 1 else tokens


def _affixes(chunk: str, specials: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    if chunk in specials:
        return specials[chunk]
    prefixes, suffixes, rest = _peel(chunk, specials)
    return (*prefixes, *_middle(rest, specials), *reversed(suffixes))


def _peel(rest: str, specials: dict) -> tuple[list[str], list[str], str]:
    prefixes: list[str] = []
    suffixes: list[str] = []
    last = -1
    while rest and len(rest) != last and rest not in specials:
        last = len(rest)
        pre = _length(rules.prefix_search(rest))
        if pre and rest[pre:] in specials:
            return [*prefixes, rest[:pre]], suffixes, rest[pre:]
        suf = _length(rules.suffix_search(rest[pre:]))
        if suf and rest[:-suf] in specials:
            return prefixes, [*suffixes, rest[-suf:]], rest[:-suf]
        if pre:
            prefixes.append(rest[:pre])
        if suf:
            suffixes.append(rest[-suf:])
        rest = rest[pre : len(rest) - suf]
    return prefixes, suffixes, rest


def _length(match) -> int:
    return match.end() - match.start() if match else 0


def _middle(rest: str, specials: dict) -> tuple[str, ...]:
    if not rest:
        return ()
    if rest in specials:
        return specials[rest]
    if rules.url_match(rest):
        return (rest,)
    tokens, start = [], 0
    for match in rules.infix_finditer(rest):
        if match.start() == 0:  # spaCy skips an infix at the very start
            continue
        if match.start() != start:
            tokens.append(rest[start : match.start()])
        if match.end() != match.start():
            tokens.append(rest[match.start() : match.end()])
        start = match.end()
    return (*tokens, rest[start:]) if rest[start:] else tuple(tokens)


@cache
def _affix_pieces(special: str) -> tuple[str, ...]:
    """How the affix rules alone cut a special case (the pattern spaCy's matcher looks for)."""
    return _affixes(special, _NO_SPECIALS)


def _join_specials(tokens: tuple[str, ...]) -> tuple[str, ...]:
    found = [
        (j - i, i, j)
        for i in range(len(tokens) - 1)
        for j in range(i + 2, len(tokens) + 1)
        if "".join(tokens[i:j]) in SPECIAL_CASES and _affix_pieces("".join(tokens[i:j])) == tokens[i:j]
    ]
    if not found:
        return tokens
    taken: set[int] = set()
    chosen = []
    for _, i, j in sorted(found, key=lambda f: (-f[0], f[1])):  # longest first, then leftmost
        if i not in taken and j - 1 not in taken:
            chosen.append((i, j))
        taken.update(range(i, j))
    out, at = [], 0
    for i, j in sorted(chosen):
        out += [*tokens[at:i], *SPECIAL_CASES["".join(tokens[i:j])]]
        at = j
    return (*out, *tokens[at:])
