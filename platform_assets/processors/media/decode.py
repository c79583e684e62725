"""Decode one media file's bytes once and measure it, or say why it cannot be used.

Images are opened and fully loaded with Pillow (a cut file fails the load: `truncated_media`), and hashed
with imagehash's pHash; audio is read through with soundfile (libsndfile). libsndfile reads a cut WAV
without complaint, so a RIFF file whose declared size exceeds its bytes is reported as truncated here; a
compressed stream (FLAC, OGG) that decodes for a while and then breaks off is truncated, one that never
decodes is undecodable.
"""

from __future__ import annotations

import hashlib
import io
import struct
import warnings
from dataclasses import dataclass

import imagehash
import numpy as np
import soundfile
from PIL import Image

from platform_assets.processors.ingest_files import Problem

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".tif", ".tiff"}
AUDIO_SUFFIXES = {".wav", ".flac", ".ogg", ".mp3", ".aiff", ".aif"}
MEDIA_SUFFIXES = IMAGE_SUFFIXES | AUDIO_SUFFIXES
MAX_PIXELS = 89_478_485  # Pillow's own decompression-bomb limit, made explicit


@dataclass(frozen=True, slots=True)
class Features:
    format: str
    byte_size: int
    sha256: str
    width: int | None = None
    height: int | None = None
    phash: int | None = None
    duration_s: float | None = None
    sample_rate: int | None = None
    channels: int | None = None


def decode(data: bytes, modality: str, max_bytes: int) -> Features | Problem:
    """The file's features, or a Problem: empty_file, too_large, undecodable_media, truncated_media."""
    if not data:
        return Problem("empty_file", "the file is empty")
    if len(data) > max_bytes:
        return Problem("too_large", f"{len(data):,} bytes exceed the limit of {max_bytes:,}")
    digest = hashlib.sha256(data).hexdigest()
    return _image(data, digest) if modality == "image" else _audio(data, digest)


def phash(image: Image.Image) -> int:
    """The 64-bit DCT perceptual hash (imagehash.phash, 8x8) as an unsigned integer."""
    bits = imagehash.phash(image).hash.flatten()
    return int(np.packbits(bits).view(">u8")[0])


def _image(data: bytes, digest: str) -> Features | Problem:
    try:
        with warnings.catch_warnings():  # Pillow warns on opening a bomb; the check below quarantines it
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data))
        with im:
            if im.width * im.height > MAX_PIXELS:
                return Problem("too_large", f"{im.width}x{im.height} pixels exceed {MAX_PIXELS:,}")
            im.load()
            return Features(im.format or "unknown", len(data), digest, im.width, im.height, phash(im))
    except OSError as exc:
        kind = "truncated_media" if "truncated" in str(exc) else "undecodable_media"
        return Problem(kind, f"Pillow: {type(exc).__name__}: {exc}")
    except (ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        return Problem("undecodable_media", f"Pillow: {type(exc).__name__}: {exc}")


def _audio(data: bytes, digest: str) -> Features | Problem:
    cut = _riff_shortfall(data)
    if cut:
        return Problem("truncated_media", f"RIFF header declares {cut:,} more bytes than the file holds")
    frames = 0
    try:
        with soundfile.SoundFile(io.BytesIO(data)) as f:
            for block in f.blocks(blocksize=1 << 12, dtype="float32"):
                frames += len(block)
            return Features(f.format, len(data), digest, duration_s=frames / f.samplerate,
                            sample_rate=f.samplerate, channels=f.channels)
    except (soundfile.LibsndfileError, RuntimeError, TypeError) as exc:
        # a stream that decoded for a while and then broke off was cut; one that never decoded is corrupt
        kind = "truncated_media" if frames else "undecodable_media"
        where = f" after {frames:,} frames" if frames else ""
        return Problem(kind, f"soundfile: {exc}{where}")


def _riff_shortfall(data: bytes) -> int:
    """Bytes a RIFF/WAVE file's header declares beyond what it holds (0 when complete or not RIFF)."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return 0
    declared = struct.unpack("<I", data[4:8])[0] + 8
    return max(0, declared - len(data))
