"""The demo's audio clips: spoken by espeak-ng when it is installed, else chords of tones."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from platform_assets.cli.demo_data import media_audio
from platform_assets.processors.media.decode import decode


def _clip(key: str, seed: int = 5):
    return media_audio.clip(np.random.default_rng(seed), key)


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_with_espeak_ng_a_clip_is_the_transcript_spoken():
    a, again, b = _clip("clip-0-1"), _clip("clip-0-1"), _clip("clip-0-2")
    assert a.caption == media_audio.spoken_text("clip-0-1") and a.caption.endswith("This is clip 0 1.")
    assert a.meta["voice"] == "espeak-ng" and a.data == again.data  # deterministic per key
    assert a.data != b.data and a.caption != b.caption
    features = decode(a.data, "audio", 1 << 24)
    assert 1.0 < features.duration_s < 20.0 and features.channels == 1
    assert features.duration_s == pytest.approx(a.meta["seconds"], abs=0.01)
    samples, _ = media_audio.speak("hello", shutil.which("espeak-ng"))
    assert float(np.sqrt(np.mean(samples ** 2))) > 0.01  # a voice, not silence


def test_without_espeak_ng_a_clip_is_a_chord_of_tones(monkeypatch):
    monkeypatch.setattr(media_audio.shutil, "which", lambda name: None)
    a = _clip("clip-0-1")
    assert "voice" not in a.meta and ("chord of the notes" in a.caption or "pure tone" in a.caption)
    features = decode(a.data, "audio", 1 << 24)
    assert (features.sample_rate, features.duration_s) == (media_audio.RATE, a.meta["seconds"])
