"""C4 line edits and document drops (Raffel et al. 2020), datatrove 0.10.1's defaults and reason codes."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from platform_assets.processors.base import Filter, Verdict, below, first_failure
from platform_assets.processors.features import Parts, TextBatch
from platform_assets.processors.filters._bounds import Count
from platform_assets.processors.filters._samples import PROSE_LINES
from platform_assets.processors.registry import register
from platform_assets.processors.splitting import sentence_counts

_CITATION = r"\[\d*\]|\[edit\]|\[citation needed\]"
_POLICY = r"terms of use|privacy policy|cookie policy|uses cookies|use of cookies|use cookies"


@register("c4_quality_v1")
class C4Quality(Filter):
    """Keeps only lines that pass C4's line rules, then drops the document on its document rules.

    Lines go when they hold a word over `max_word_length` chars, lack terminal punctuation (. ? ! " ')
    or end in "...", have under `min_words_per_line` words, mention javascript, or a cookie/terms phrase.
    Citation marks ([1], [edit], [citation needed]) are cut. The document goes on "lorem ipsum" or "{" in
    a line that reached those checks, or with under `min_num_sentences` sentences left.
    """

    edits_text = True

    remove_citations: bool = True
    filter_no_terminal_punct: bool = True
    min_num_sentences: Count | None = 5
    min_words_per_line: Count | None = 3
    max_word_length: Count | None = 1000
    filter_lorem_ipsum: bool = True
    filter_javascript: bool = True
    filter_curly_bracket: bool = True
    filter_policy: bool = True

    examples = [
        (PROSE_LINES, None),
        (PROSE_LINES + "\nLorem ipsum dolor sit amet, consectetur.", "lorem_ipsum"),
        (PROSE_LINES + "\nThe setting is {enabled: true} for now.", "curly_bracket"),
        ("Menu\nHome\nOne full sentence here. And a second one.", "too_few_sentences"),
    ]

    def judge(self, batch: TextBatch) -> Verdict:
        lines = batch.lines
        stripped = pc.utf8_trim_whitespace(lines.flat)
        words = Parts(pc.utf8_split_whitespace(stripped))
        clean = pc.replace_substring_regex(stripped, _CITATION, "") if self.remove_citations else stripped
        lower = pc.utf8_lower(clean)
        reached = ~_too_long_word(words, self.max_word_length, len(stripped))
        if self.filter_no_terminal_punct:
            reached &= _has(clean, r"[.?!\"']$") & ~_has(clean, r"\.\.\.$")
        if self.min_words_per_line is not None:
            reached &= words.counts >= self.min_words_per_line
        lorem = _flag(self.filter_lorem_ipsum, lower, "lorem ipsum")
        javascript = _flag(self.filter_javascript, lower, "javascript")
        curly = _flag(self.filter_curly_bracket, clean, r"\{")
        policy = _flag(self.filter_policy, lower, _POLICY)
        lorem_at, curly_at = reached & lorem, reached & ~lorem & ~javascript & curly
        kept = reached & ~lorem & ~javascript & ~curly & ~policy
        sentences = _sentences(clean, kept, lines)
        trigger = lorem_at | curly_at
        texts = _join_kept(clean, kept, lines)
        verdict = first_failure(
            batch.n,
            [
                ("lorem_ipsum", _on_first_trigger(lines, trigger, lorem_at), np.nan),
                ("curly_bracket", _on_first_trigger(lines, trigger, curly_at), np.nan),
                below(sentences, self.min_num_sentences, "too_few_sentences"),
            ],
            texts,
        )
        verdict.lines_removed = lines.sum(~kept & batch.nonblank).astype(np.int64)
        return verdict


def _sentences(clean: pa.Array, kept: np.ndarray, lines: Parts) -> np.ndarray:
    """Per document: sentences in its kept lines, each line split as datatrove's C4 splits it (spaCy)."""
    per_line = np.zeros(len(kept), np.int64)
    per_line[kept] = sentence_counts(clean.filter(pa.array(kept)))
    return lines.sum(per_line)


def _has(arr: pa.Array, pattern: str) -> np.ndarray:
    return pc.match_substring_regex(arr, pattern).to_numpy(zero_copy_only=False)


def _flag(on: bool, arr: pa.Array, pattern: str) -> np.ndarray:
    return _has(arr, pattern) if on else np.zeros(len(arr), dtype=bool)


def _too_long_word(words: Parts, limit: int | None, n_lines: int) -> np.ndarray:
    longest = np.zeros(n_lines, np.int64)
    if limit is not None and len(words.lengths):
        np.maximum.at(longest, words.parent, words.lengths)
        return longest > limit
    return longest.astype(bool)


def _on_first_trigger(lines: Parts, trigger: np.ndarray, flag: np.ndarray) -> np.ndarray:
    """Per document: `flag` holds on the document's first line where `trigger` holds."""
    idx = np.flatnonzero(trigger)
    docs, first = np.unique(lines.parent[idx], return_index=True)
    out = np.zeros(lines.n_docs, dtype=bool)
    out[docs] = flag[idx[first]]
    return out


def _join_kept(clean: pa.Array, kept: np.ndarray, lines: Parts) -> pa.Array:
    """Each document's kept lines joined by newlines, stripped."""
    offsets = np.concatenate([[0], np.cumsum(lines.sum(kept).astype(np.int64))])
    flat = clean.filter(pa.array(kept)).cast(pa.large_string())
    joined = pc.binary_join(
        pa.LargeListArray.from_arrays(pa.array(offsets, pa.int64()), flat), pa.scalar("\n", pa.large_string())
    )
    return pc.utf8_trim_whitespace(joined)
