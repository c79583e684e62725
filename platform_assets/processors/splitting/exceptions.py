"""English special cases: chunks that split into listed pieces (or stay whole) whatever the affix rules say.

The same table spaCy 3.8 builds for English (`spacy.lang.en.tokenizer_exceptions` on top of the shared
base exceptions), which datatrove's English word splitter uses: contractions with and without apostrophes
(don't -> do n't, dont -> do nt, Im -> I m), clock times (5pm -> 5 pm), abbreviations that keep their
period (Mr., Inc., St., e.g.), single letters with a period, emoticons. Every entry with an ASCII
apostrophe also exists with a typographic one (’). `bench/splitting.py` checks the table against spaCy's.
"""

from __future__ import annotations

_EMOTICONS = r"""
:) :-) :)) :-)) :))) :-))) (: (-: =) (= :] :-] [: [-: [= =] :o) (o: :} :-} 8) 8-) (-8 ;) ;-) (; (-; :( :-(
:(( :-(( :((( :-((( ): )-: =( >:( :') :'-) :'( :'-( :/ :-/ =/ =| :| :-| ]= =[ :1 :P :-P :p :-p :O :-O :o
:-o :0 :-0 :() >:o :* :-* :3 :-3 =3 :> :-> :X :-X :x :-x :D :-D ;D ;-D =D xD XD xDD XDD 8D 8-D ^_^ ^__^
^___^ >.< >.> <.< ._. ;_; -_- -__- v.v V.V v_v V_V o_o o_O O_o O_O 0_o o_0 0_0 o.O O.o O.O o.o 0.0 o.0
0.o @_@ <3 <33 <333 </3 (^_^) (-_-) (._.) (>_<) (*_*) (¬_¬) ಠ_ಠ ಠ︵ಠ (ಠ_ಠ) ¯\(ツ)/¯ (╯°□°）╯︵┻━┻ ><(((*>
""".split()
_WHOLE = r"""
' \") <space> '' C++ ä. ö. ü. 'd a.m. Adm. Bros. co. Co. Corp. D.C. Dr. e.g. E.g. E.G. Gen. Gov. i.e. I.e.
I.E. Inc. Jr. Ltd. Md. Messrs. Mo. Mont. Mr. Mrs. Ms. p.m. Ph.D. Prof. Rep. Rev. Sen. St. vs. v.s. 'S 's ‘S ‘s
and/or w/o 're 'Cause 'cause 'cos 'Cos 'coz 'Coz 'cuz 'Cuz 'bout ma'am Ma'am o'clock O'clock lovin' Lovin'
lovin Lovin havin' Havin' havin Havin Mt. Ak. Ala. Apr. Ariz. Ark. Aug. Calif. Colo. Conn. Dec. Del. Feb.
Fla. Ga. Ia. Id. Ill. Ind. Jan. Jul. Jun. Kan. Kans. Ky. La. Mar. Mass. Mich. Minn. Miss. N.C. N.D. N.H. N.J.
N.M. N.Y. Neb. Nebr. Nev. Nov. Oct. Okla. Ore. Pa. S.C. Sep. Sept. Tenn. Va. Wash. Wis. em 'em ll 'll nuff
'nuff
""".split() + [" ", "\t", "\\t", "\n", "\\n", "\u2014", "\u00a0"]
_OTHER = (
    "y' all|y all|how 'd 'y|How 'd 'y|not 've|not ve|Not 've|Not ve|can not|Can not|gon na|Gon na|got ta|"
    "Got ta|let 's|Let 's|c'm on|C'm on"
).split("|")
_EXCLUDE = {"Ill", "ill", "Its", "its", "Hell", "hell", "Shell", "shell", "Shed", "shed", "were", "Were"}
_EXCLUDE |= {"Well", "well", "Whore", "whore"}
_NEGATABLE = "ca could do does did had may might must need ought sha should wo would".split()
_NEGATABLE_BE = "ai are is was were have has dare".split()
_PERFECT = "could might must should would".split()
_WH = "who what when where why how there that this these those".split()


def _pieces(table: dict[str, tuple[str, ...]], *pieces: str) -> None:
    table["".join(pieces)] = pieces


def _suffixes(table: dict, word: str, endings: list[str], plain: bool = True) -> None:
    """`word` + each ending ("'ll've" splits as 'll 've), with the apostrophe and (when `plain`) without."""
    for orth in (word, word.title()):
        for ending in endings:
            parts = ["'" + p for p in ending.split("'") if p]
            _pieces(table, orth, *parts)
            if plain:
                _pieces(table, orth, *(p[1:] for p in parts))


def _contractions(table: dict) -> None:
    _suffixes(table, "i", ["'m", "'ll", "'ll've", "'d", "'d've", "'ve"])
    for orth in ("i", "I"):
        _pieces(table, orth, "'m", "a")
        _pieces(table, orth, "m", "a")
    for pron in ("you", "he", "she", "it", "we", "they"):
        _suffixes(table, pron, ["'ll", "'ll've", "'d", "'d've"])
    for pron in ("you", "we", "they"):
        _suffixes(table, pron, ["'ve", "'re"])
    for pron in ("he", "she", "it"):
        _suffixes(table, pron, ["'s"])
    for word in _WH:
        singular, plural = word in ("that", "this"), word in ("these", "those")
        endings = ["'ll", "'ll've", "'d", "'d've"] + ([] if plural else ["'s"])
        _suffixes(table, word, endings + ([] if singular else ["'re", "'ve"]))
    for verb in _NEGATABLE + _NEGATABLE_BE:
        for orth in (verb, verb.title()):
            _pieces(table, orth, "n't")
            _pieces(table, orth, "nt")
            if verb in _NEGATABLE:
                _pieces(table, orth, "n't", "'ve")
                _pieces(table, orth, "nt", "ve")
    for verb in _PERFECT:
        _suffixes(table, verb, ["'ve"])


def _build() -> dict[str, tuple[str, ...]]:
    table: dict[str, tuple[str, ...]] = {}
    for orth in _WHOLE + _EMOTICONS + [f"{c}." for c in "abcdefghijklmnopqrstuvwxyz"]:
        table[orth] = (orth,)
    for unit in "cfkCFK":
        _pieces(table, "°", unit, ".")
    _contractions(table)
    for word in ("doin", "goin", "nothin", "nuthin", "ol", "somethin"):
        for orth in (word, word.title()):
            table[orth], table[orth + "'"] = (orth,), (orth + "'",)
    for hour in range(1, 13):
        for period in ("a.m.", "am", "p.m.", "pm"):
            _pieces(table, str(hour), period)
    for other in _OTHER:
        _pieces(table, *other.split(" "))
    for orth in _EXCLUDE:
        table.pop(orth, None)
    curly = {k.replace("'", "’"): tuple(p.replace("'", "’") for p in v) for k, v in table.items() if "'" in k}
    return table | curly


SPECIAL_CASES: dict[str, tuple[str, ...]] = _build()
