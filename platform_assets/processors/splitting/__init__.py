"""Word and sentence splitting that matches datatrove 0.10.1's English splitter (spaCy's blank English
tokenizer and sentencizer), in plain Python and regex over Arrow batches. See `batch` and `chunks`."""

from platform_assets.processors.splitting.batch import sentence_counts, split_words
from platform_assets.processors.splitting.chunks import split_chunk

VERSION = "splitting_v2"  # v1: the regex approximation before spaCy's rules were followed

__all__ = ["VERSION", "sentence_counts", "split_chunk", "split_words"]
