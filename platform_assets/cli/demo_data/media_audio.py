"""The demo's audio source: clips it synthesizes itself, written with soundfile, with transcripts: speech
from espeak-ng when it is on the PATH (the transcript is the sentence spoken), else chords of pure tones;
plus clips that do not decode, are cut, or fall outside the duration bounds (tones either way)."""

from __future__ import annotations

import io
import shutil
import subprocess
import zlib

import numpy as np
import soundfile

from platform_assets.cli.demo_data.media_images import Picture

RATE = 16_000
NOTES = {"A": 440.0, "C": 523.25, "E": 659.25, "G": 392.0, "D": 293.66, "F": 349.23, "B": 493.88}
WORDS = {1.0: "one second", 1.5: "one and a half seconds", 2.0: "two seconds", 2.5: "two and a half seconds",
         3.0: "three seconds"}


def tone(notes: str, seconds: float, rate: int = RATE) -> np.ndarray:
    """A chord of `notes` (letters of NOTES) with a short fade in and out, float32 in [-1, 1]."""
    t = np.arange(int(seconds * rate)) / rate
    wave = sum(np.sin(2 * np.pi * NOTES[n] * t) for n in notes) / max(len(notes), 1) * 0.4
    fade = np.minimum(1.0, np.minimum(t, t[-1] - t) / 0.02) if len(t) else t
    return (wave * fade).astype(np.float32)


def encode(samples: np.ndarray, fmt: str, rate: int = RATE) -> bytes:
    buf = io.BytesIO()
    soundfile.write(buf, samples, rate, format=fmt, subtype="PCM_16")
    return buf.getvalue()


SENTENCES = ("The quick brown fox jumps over the lazy dog.", "Please call me back after the meeting.",
             "The weather today is cold and windy.", "A cup of tea helps on a rainy afternoon.",
             "Training data should be clean and well labelled.", "The train leaves the station at noon.")


def speak(text: str, espeak: str) -> tuple[np.ndarray, int]:
    """`text` spoken by the espeak-ng at `espeak` (its WAV on stdout, read by soundfile): samples, rate."""
    wav = subprocess.run([espeak, "--stdout", text], capture_output=True, check=True, timeout=60).stdout
    samples, rate = soundfile.read(io.BytesIO(wav), dtype="float32")
    return samples, rate


def spoken_text(key: str) -> str:
    """The sentence a clip says: deterministic per key, and unique (so no two clips are exact copies)."""
    return f"{SENTENCES[zlib.crc32(key.encode()) % len(SENTENCES)]} This is {key.replace('-', ' ')}."


def clip(rng: np.random.Generator, key: str) -> Picture:
    """One clip with its transcript; WAV or FLAC; spoken when espeak-ng is installed, else a chord."""
    notes = "".join(rng.choice(list(NOTES), size=int(rng.integers(1, 4)), replace=False))
    seconds = float(rng.choice(list(WORDS)))
    fmt = "WAV" if rng.random() < 0.5 else "FLAC"
    espeak = shutil.which("espeak-ng")
    if espeak:
        text = spoken_text(key)
        samples, rate = speak(text, espeak)
        return Picture(key, encode(samples, fmt, rate), text, "." + fmt.lower(),
                       {"kind": "clip", "seconds": round(len(samples) / rate, 3), "voice": "espeak-ng"})
    names = " and ".join(f"{n}" for n in notes)
    text = (f"A soft chord of the notes {names} played on a synthesizer for {WORDS[seconds]}."
            if len(notes) > 1 else f"A single pure tone on the note {notes} held for {WORDS[seconds]}.")
    return Picture(key, encode(tone(notes, seconds), fmt), text, "." + fmt.lower(),
                   {"kind": "clip", "seconds": seconds})


def planted(rng: np.random.Generator) -> list[Picture]:
    """Clips that quarantine or the duration filter must catch, and one exact copy."""
    good = encode(tone("ACE", 2.0), "WAV")
    flac = encode(tone("G", 2.0), "FLAC")
    out = [
        Picture("audio-truncated", good[: len(good) // 2], "A chord of three notes cut off halfway.", ".wav",
                {"kind": "broken", "error_kind": "truncated_media"}),
        Picture("audio-corrupt", flac[:200] + bytes(rng.integers(0, 256, 4000, dtype=np.uint8)),
                "A single tone whose file was overwritten with noise.", ".flac",
                {"kind": "broken", "error_kind": "undecodable_media"}),
        Picture("audio-cut", flac[: len(flac) * 2 // 3], "A single tone on the note G whose upload was cut.",
                ".flac", {"kind": "broken", "error_kind": "truncated_media"}),
        Picture("audio-blip", encode(tone("A", 0.2), "WAV"), "A very short blip on the note A, a click.",
                ".wav", {"kind": "filtered", "reason": "audio_too_short"}),
        Picture("audio-drone", encode(tone("D", 75.0, 8000), "FLAC", 8000),
                "A long low drone on the note D that goes on for more than a minute.", ".flac",
                {"kind": "filtered", "reason": "audio_too_long"}),
    ]
    return out
