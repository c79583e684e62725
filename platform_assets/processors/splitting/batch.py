"""Words and sentence counts for a whole Arrow column at once, as datatrove 0.10.1 splits English text.

Words: the text splits on whitespace into chunks; Arrow dictionary-encodes the batch's chunks, so each
distinct chunk is split once (`chunks.split_chunk`, cached across batches too) and plain words (letters
only, not a special case) skip Python altogether; numpy then lays every occurrence's tokens out in order.
Sentences: spaCy's sentencizer, which datatrove's C4 filter counts with: a sentence ends after a token
that is a sentence terminal ("." "!" "?" and their kin) once a token follows that is neither punctuation
nor a terminal. Any whitespace but a single space is such a token in spaCy (a line "Done.  )" holds two
sentences), so it is counted as one here too.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from platform_assets.processors.splitting.chunks import split_chunk
from platform_assets.processors.splitting.exceptions import SPECIAL_CASES

_PLAIN = r"^[\p{L}\p{M}]+$"
# spaCy keeps a whitespace run (but a single space) as a token; "\x00" stands in for it (clean text has none)
_EXTRA_SPACE = r"\s{2,}|[^\S ]"
_SPECIAL_KEYS = pa.array(sorted(SPECIAL_CASES), pa.large_string())
# spaCy's sentencizer's default punct_chars
_TERMINALS = pa.array(
    list(
        "!.?։؟۔܀܁܂߹।॥၊။።፧፨᙮᜵᜶᠃᠉᥄᥅᪨᪩᪪᪫᭚᭛᭞᭟᰻᰼᱾᱿‼‽⁇⁈⁉⸮⸼꓿꘎꘏꛳꛷꡶꡷꣎꣏꤯꧈꧉꩝꩞꩟꫰꫱꯫﹒﹖﹗！．？"
        "𐩖𐩗𑁇𑁈𑂾𑂿𑃀𑃁𑅁𑅂𑅃𑇅𑇆𑇍𑇞𑇟𑈸𑈹𑈻𑈼𑊩𑑋𑑌𑗂𑗃𑗉𑗊𑗋𑗌𑗍𑗎𑗏𑗐𑗑𑗒𑗓𑗔𑗕𑗖𑗗𑙁𑙂𑜼𑜽𑜾𑩂𑩃𑪛𑪜𑱁𑱂𖩮𖩯𖫵𖬷𖬸𖭄𛲟𝪈｡。"
    ),
    pa.large_string(),
)


def split_words(texts: pa.Array) -> pa.LargeListArray:
    """Each text's words (a list per text, nulls as empty lists)."""
    chunks = pc.utf8_split_whitespace(texts.cast(pa.large_string()).fill_null(""))
    encoded = pc.dictionary_encode(pc.list_flatten(chunks))
    ids = encoded.indices.to_numpy().astype(np.int64)
    vocab, starts, counts = _split_distinct(encoded.dictionary)
    n_tokens = counts[ids]
    token_ids = np.arange(int(n_tokens.sum()), dtype=np.int64) + np.repeat(
        starts[ids] - (np.cumsum(n_tokens) - n_tokens), n_tokens
    )
    per_text = np.bincount(pc.list_parent_indices(chunks).to_numpy(), weights=n_tokens, minlength=len(texts))
    offsets = np.concatenate([[0], np.cumsum(per_text.astype(np.int64))])
    return pa.LargeListArray.from_arrays(pa.array(offsets, pa.int64()), vocab.take(pa.array(token_ids)))


def _split_distinct(distinct: pa.Array) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """(tokens, first token per distinct chunk, tokens per distinct chunk): plain chunks are their own
    token (kept where they are); the others' tokens are appended after the distinct chunks."""
    distinct = distinct.cast(pa.large_string())
    plain = pc.and_(pc.match_substring_regex(distinct, _PLAIN), pc.invert(pc.is_in(distinct, _SPECIAL_KEYS)))
    hard = np.flatnonzero(~plain.to_numpy(zero_copy_only=False))
    pieces = [split_chunk(chunk) for chunk in distinct.take(pa.array(hard)).to_pylist()]
    starts = np.arange(len(distinct), dtype=np.int64)
    counts = np.ones(len(distinct), dtype=np.int64)
    sizes = np.fromiter(map(len, pieces), np.int64, len(pieces))
    counts[hard] = sizes
    starts[hard] = len(distinct) + np.cumsum(sizes) - sizes
    extra = pa.array([t for p in pieces for t in p], pa.large_string())
    return pa.concat_arrays([distinct, extra]), starts, counts


def sentence_counts(texts: pa.Array) -> np.ndarray:
    """Sentences per text, as spaCy's sentencizer marks them (1 for an empty text)."""
    marked = pc.replace_substring_regex(texts.cast(pa.large_string()).fill_null(""), _EXTRA_SPACE, " \x00 ")
    words = split_words(marked)
    flat = pc.list_flatten(words)
    parent = pc.list_parent_indices(words).to_numpy()
    terminal = pc.is_in(flat, _TERMINALS).to_numpy(zero_copy_only=False)
    other = ~terminal & ~pc.match_substring_regex(flat, r"^\p{P}+$").to_numpy(zero_copy_only=False)
    before = np.concatenate([[0], np.cumsum(terminal)])  # terminals before each position
    at = np.flatnonzero(other)  # a break can only come at a word that is neither
    # the previous such word in the same list, else the list's first position
    first = np.concatenate([[True], parent[at[1:]] != parent[at[:-1]]]) if len(at) else np.zeros(0, bool)
    starts = pc.list_value_length(words).fill_null(0).to_numpy().astype(np.int64)
    list_start = np.concatenate([[0], np.cumsum(starts)])[parent[at]]
    since = np.where(first, list_start, np.concatenate([[0], at[:-1] + 1]))
    breaks = before[at] - before[since] > 0
    return 1 + np.bincount(parent[at][breaks], minlength=len(words)).astype(np.int64)
