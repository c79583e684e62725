"""The one domain detector: prose, code, math, dialog or other, with a probability, from RE2 counts.

The clean stage uses it to pick the filter chain for documents whose source names no domain (a web crawl mixes
prose pages with code listings, worked problems and chat logs); the `domain_v1` classifier reports its label
and probability, and the difficulty classifiers run on the rows it labels math or code, so a row's label and
its features always agree. Six signals per document:
- stop: share of words that are common English function words (over the first 2,048 characters);
- running: words per non-blank line over 15, capped at 1 (menus, lists and tables have short lines);
- code: share of non-blank lines that only code writes (a statement end, a block opener, a keyword start);
- math: math tokens per word (LaTeX, `$x = 1$`, `12 × 5`, `= 60`, math symbols, numbers with units,
  `Answer:` lines, `####`, math vocabulary);
- equations: worked steps with numbers on both sides of `=` (`315 × 5 = 1575`), 0 to 3, over 3;
- dialog: share of non-blank lines that are speaker turns (`Name: text`, the name one or two capitalised
  words, the text not starting with a digit), counted only when the turns alternate (`alternating_turns`).
  Label lines such as `Time: 2.75 h`, `Final answer: 616` or `Area: 12 × 5 = 60` never count.
A hand-set linear map turns them into logits for each domain ("other" has only a bias); the softmax gives
the probabilities. Before the word statistics count, a document that carries evidence of being source code
(`code_evidence`: a source-file extension in its url/meta, a shebang, or a clean tree-sitter parse) is
code; a document with a code-like line or a language's telltale syntax is parsed, and one the statistics
call code that parses in no grammar (a README made of code samples and prose) is not code.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from platform_assets.processors import code_evidence
from platform_assets.processors.classifiers.code_language import SIGNATURES
from platform_assets.processors.features import TextBatch, byte_table, ratio

VERSION = "domain_detect_v4"  # v4: C/C++ declaration macros blanked before parsing, C++ tried after C

DOMAINS = ("prose", "code", "math", "dialog", "other")

_STOP = r"(?i)\b(?:the|and|of|to|in|is|that|it|for|was|with|as|on|are|this|be|by|or|not|you|we|a|an)\b"
_PREFIX_CHARS = 2048  # stop-word share is read from each text's start: per-match cost grows with length
# A line that only code writes: a statement end, a block opener/closer, a keyword opening a declaration.
_CODE_LINE = (
    r"(?:;|\{|\}|\)\s*:|=>|->)[ \t]*$|^[ \t]*(?:def|class|import|from|#include|#define|package|public|"
    r"private|protected|static|function|func|fn|let|const|var|return|if|for|while|else|elif|try|except|"
    r"using|namespace|struct|impl|enum|export|async|await|@\w+)\b"
)
_MATH = (  # one alternation without flags or long counted repeats: RE2 scans it in one fast DFA pass
    r"\\(?:frac|dfrac|sum|int|prod|sqrt|lim|log|sin|cos|cdot|times|div|pm|leq|geq|neq|le|ge|alpha|beta|"
    r"gamma|delta|theta|lambda|sigma|pi|infty|partial|mathbb|mathrm|boxed|begin)\b"
    r"|\$[^$\n]{0,40}[=^\\_{}+<>][^$\n]{0,40}\$|[∑∏∫√∞≤≥≠≈∂∇∈⊂⊆∀∃×÷−±·²³π]"
    r"|\d\s*[-+*/^=<>]\s*[-(]?\d|\s[=<>]\s*[-(]?\d|[a-z]\^\d|\d\s?(?:km/h|mph|km|cm|mm|kg|mg|ml|m|g|h|min)\b"
    r"|\n[ \t]*(?:[Ff]inal |[Ww]orked )?(?:[Aa]nswer|[Rr]esult)\s*[:=]|####"
    r"|\b(?:solve|equation|theorem|lemma|proof|prove|integer|polynomial|derivative|integral|probability|"
    r"remainder|divisible|[Hh]ow (?:many|much|far))\b"
)
# A worked step: numbers on both sides of an equals sign, an operator on the left ("5 days: 315 × 5 = 1575").
_EQUATION = r"\d\s*[-+*/^×÷−·]\s*\(?\d[^\n=]*=\s*[-−]?\$?\d"
_SPEAKER = r"^[ \t]*(?P<who>[A-Z][A-Za-z]{0,15}(?: [A-Z][a-z]{1,15})?|Speaker \d{1,2})[ \t]*:[ \t]+[^\s\d$€£]"
_ROLES = pa.array(["User", "Assistant", "Human", "AI", "System", "Bot", "Customer", "Agent", "Q", "A"])
_SEPARATORS = byte_table(" \n", non_ascii=False)
_RUNNING_WORDS = 15  # words per non-blank line at which a document counts as running text

# logit = bias + weights . signals (see `signals`); "other" has only a bias.
_WEIGHTS = np.array(
    [  # stop, running, code, math, equations, dialog
        [12.0, 3.0, -4.0, -20.0, -3.0, -3.0],  # prose
        [-6.0, 0.0, 10.0, -4.0, 0.0, -3.0],  # code
        [-2.0, 0.0, -4.0, 40.0, 5.0, -3.0],  # math
        [0.0, 0.0, -4.0, -10.0, 0.0, 10.0],  # dialog
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0],  # other
    ]
)
_BIAS = np.array([-3.0, -1.0, -1.5, -2.0, 1.0])
# A comment or a docstring first (a source file's header), or an assignment at a line start (a table module)
_OPENS_LIKE_CODE = r"^\s*(?:#|//|/\*|\"\"\"|\'\'\')|(?m:^[A-Za-z_][\w.]* = )"
# One RE2 pass: any language's telltale syntax (code_language.SIGNATURES) or a code-like opening
_CODE_SYNTAX = "|".join([f"(?m:{p.removeprefix('(?m)')})" for p in SIGNATURES.values()] + [_OPENS_LIKE_CODE])
_CODE, _EVIDENCE = DOMAINS.index("code"), 30.0  # evidence of source code outweighs every word statistic


def _words(batch: TextBatch, head: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Word counts as separators + 1, of each text and of its `head` (a prefix): one numpy pass over the bytes
    (literal counts are ~10x cheaper than a regex over every word)."""
    limit = pc.binary_length(head).to_numpy(zero_copy_only=False)
    return (batch.count_bytes(_SEPARATORS) + 1).astype(float), (
        batch.count_bytes(_SEPARATORS, limit) + 1
    ).astype(float)


def alternating_turns(batch: TextBatch) -> np.ndarray:
    """Per document: its speaker-turn lines, or 0 unless the speakers alternate.

    They alternate when some speaker speaks again after another one (A, B, A), or when two chat roles
    (`User`, `Assistant`, `Q`, `A`, ...) take consecutive turns.
    """
    lines = batch.lines
    rows = np.flatnonzero(pc.match_substring(lines.flat, ": ").to_numpy(zero_copy_only=False))
    found = pc.extract_regex(lines.flat.take(pa.array(rows)), _SPEAKER)
    is_turn = found.is_valid().to_numpy(zero_copy_only=False)
    if not is_turn.any():
        return np.zeros(batch.n)
    doc = lines.parent[rows[is_turn]]
    names = pc.dictionary_encode(pc.struct_field(found.filter(pa.array(is_turn)), [0]))
    who = names.indices.to_numpy()
    role = pc.is_in(names.dictionary, _ROLES).to_numpy(zero_copy_only=False)[who]
    same_doc, changed = doc[1:] == doc[:-1], who[1:] != who[:-1]
    alternates = np.zeros(len(who), dtype=bool)
    alternates[2:] = (doc[2:] == doc[:-2]) & (who[2:] == who[:-2]) & changed[1:]
    alternates[1:] |= same_doc & changed & role[1:] & role[:-1]
    turns = np.bincount(doc, minlength=batch.n)
    return np.where(np.bincount(doc, weights=alternates, minlength=batch.n) > 0, turns, 0)


def signals(batch: TextBatch) -> tuple[np.ndarray, np.ndarray]:
    """(rows, 6) matrix of stop, running, code, math, equations, dialog (see the module doc); word counts."""
    texts = batch.texts
    lines = np.maximum(batch.lines.sum(batch.nonblank), 1)
    head = pc.utf8_slice_codeunits(texts, 0, _PREFIX_CHARS)
    words, head_words = _words(batch, head)
    stop = ratio(pc.count_substring_regex(head, _STOP).to_numpy(zero_copy_only=False), head_words)
    rates = np.stack(
        [
            stop,
            np.minimum(words / lines / _RUNNING_WORDS, 1.0),
            ratio(batch.lines.sum(batch.lines.match(_CODE_LINE)), lines),
            np.minimum(ratio(batch.count(_MATH), words), 0.5),
            np.minimum(batch.count(_EQUATION), 3) / 3,
            np.minimum(ratio(alternating_turns(batch), lines), 1.0),
        ],
        axis=1,
    )
    return rates, words


def domain_probabilities(batch: TextBatch, locators: pa.Array | None = None) -> np.ndarray:
    """(rows, 5) softmax over DOMAINS. `locators`: per document its url and/or meta text (or None)."""
    rates, words = signals(batch)
    logits = rates @ _WEIGHTS.T + _BIAS
    logits[words < 3] = np.array([0, 0, 0, 0, 5.0])  # (almost) no words: other
    logits[:, _CODE] += _EVIDENCE * _code_evidence(batch, locators, logits, rates[:, 2])
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _code_evidence(batch: TextBatch, locators, logits: np.ndarray, code_lines: np.ndarray) -> np.ndarray:
    """+1 for rows with a source path, a shebang, or a clean parse; -1 for rows the statistics call code
    that parse in no grammar (a README made of code samples); 0 otherwise."""
    found = code_evidence.has_shebang(batch.texts)
    if locators is not None:
        found |= code_evidence.path_is_code(locators)
    codeish = code_lines > 0
    codeish[~codeish] = pc.match_substring_regex(
        batch.texts.filter(pa.array(~codeish)), _CODE_SYNTAX
    ).to_numpy(zero_copy_only=False)
    said_code = logits.argmax(axis=1) == _CODE
    evidence = found.astype(float)
    for is_code, sign in ((False, 1.0), (True, -1.0)):  # a clean parse for others, a failed probe for code
        rows = np.flatnonzero(~found & codeish & (said_code == is_code))
        if rows.size:
            rates = code_evidence.parse_error_rates(batch.texts.take(pa.array(rows)), full=not is_code)
            hit = (
                rates >= code_evidence.NOT_CODE_ERRORS_PER_LINE
                if is_code
                else rates <= code_evidence.MAX_ERRORS_PER_LINE
            )
            evidence[rows[hit]] = sign
    return evidence


def detect_domains(batch: TextBatch, locators: pa.Array | None = None) -> np.ndarray:
    """Per document: one of DOMAINS (an object array)."""
    return np.array(DOMAINS, dtype=object)[domain_probabilities(batch, locators).argmax(axis=1)]
