"""Rules that fit dialog (chat logs, transcripts, Q&A): short, unpunctuated turns are normal there."""

from __future__ import annotations

import numpy as np
import pyarrow.compute as pc

from platform_assets.processors.base import Filter, Verdict, below, first_failure
from platform_assets.processors.features import TextBatch
from platform_assets.processors.filters._bounds import Count
from platform_assets.processors.filters._samples import DIALOG
from platform_assets.processors.registry import register

# "Speaker: text" at the start of a line; the speaker is a short name without sentence punctuation.
_TURN = r"^\s*(?:\[[^\]\n]{1,20}\]\s*)?(?P<speaker>[\p{L}\p{N}][\p{L}\p{N} ._'-]{0,29}?)\s*:\s+\S"


@register("dialog_quality_v1")
class DialogQuality(Filter):
    """Drops dialogs with too few turns, a single speaker, or too few words in all."""

    min_turns: Count | None = 2
    min_speakers: Count | None = 2
    min_words: Count | None = 10

    examples = [
        (DIALOG, None),
        ("User: hello there, is anyone around to talk today?", "dialog_too_few_turns"),
        ("User: hello there.\nUser: anyone?\nUser: I will wait here then.", "dialog_single_speaker"),
        ("A: hi\nB: yo", "dialog_too_short"),
    ]

    def judge(self, batch: TextBatch) -> Verdict:
        lines = batch.lines
        speaker = pc.struct_field(pc.extract_regex(lines.flat, _TURN), "speaker")
        is_turn = speaker.is_valid().to_numpy(zero_copy_only=False)
        ids = pc.dictionary_encode(pc.utf8_lower(speaker)).indices.fill_null(-1).to_numpy()
        pairs = np.unique(lines.parent[is_turn] * (int(ids.max(initial=0)) + 1) + ids[is_turn])
        speakers = np.bincount(pairs // (int(ids.max(initial=0)) + 1), minlength=batch.n)
        return first_failure(
            batch.n,
            [
                below(lines.sum(is_turn), self.min_turns, "dialog_too_few_turns"),
                below(speakers.astype(float), self.min_speakers, "dialog_single_speaker"),
                below(batch.count(r"\S+").astype(float), self.min_words, "dialog_too_short"),
            ],
        )
