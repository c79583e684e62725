"""The demo's image-text source: pictures shipped inside scikit-image's wheel (`skimage/data/*.png|jpg`),
with planted near-duplicates (re-encoded, resized, cropped), an exact copy, files that do not decode, and
captions that the filters drop or redact. Everything is built in memory; media_writer.py lays it out.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import skimage.data
from PIL import Image

# The pictures used and their captions. Left out: chessboard_RGB (the same picture as chessboard_GRAY),
# motorcycle_right (the stereo partner of motorcycle_left, 4 pHash bits away), a 14x25 GIF.
CAPTIONS = {
    "astronaut": "Portrait of astronaut Eileen Collins in her flight suit in front of a flag.",
    "brick": "A close view of a weathered red brick wall with mortar lines.",
    "camera": "A man with a camera on a tripod photographs a field, in black and white.",
    "cell": "A microscope image of a single cell with its nucleus visible.",
    "chelsea": "Chelsea the tabby cat looks to the side on a sunny day.",
    "chessboard_GRAY": "A grey checkerboard pattern with sharp square edges.",
    "clock_motion": "A wall clock photographed with motion blur across its face.",
    "coffee": "A cup of coffee with latte art on a saucer next to a spoon.",
    "coins": "Greek coins from Pompeii lying in rows on a dark background.",
    "color": "Bright color patches of red, green and blue on a white sheet.",
    "grass": "A dense patch of green grass blades seen from above.",
    "gravel": "A pile of small grey gravel stones filling the whole frame.",
    "horse": "The black silhouette of a horse standing on a white background.",
    "hubble_deep_field": "The Hubble deep field showing hundreds of distant galaxies.",
    "ihc": "A stained tissue sample under a microscope, brown and blue.",
    "logo": "The scikit-image logo, a snake drawn in blue and orange.",
    "microaneurysms": "A retinal image patch showing small red microaneurysms.",
    "moon": "The surface of the moon with craters, in grey tones.",
    "motorcycle_left": "A red motorcycle parked in a workshop among tools and boxes.",
    "page": "A scanned page of printed text with uneven lighting.",
    "phantom": "The Shepp-Logan phantom, a test image of ellipses for tomography.",
    "retina": "A color photograph of the back of a human eye, the retina.",
    "rocket": "A rocket standing on its launch pad before lift-off under a blue sky.",
    "text": "Handwritten and printed text on a light background, photographed.",
}
TRANSFORMS = ("reencode", "resize", "crop")


@dataclass
class Picture:
    id: str
    data: bytes
    caption: str | None
    ext: str = ".png"
    meta: dict = field(default_factory=dict)  # truth: kind, of, transform, expected reason


def data_dir() -> Path:
    return Path(skimage.data.__file__).parent


def load_original(name: str) -> tuple[Image.Image, bytes, str]:
    """A shipped picture (RGBA flattened to RGB), its file bytes and suffix."""
    path = next(p for p in data_dir().iterdir() if p.stem == name and p.suffix in (".png", ".jpg"))
    with Image.open(path) as im:
        im.load()
        image = im.convert("RGB") if im.mode not in ("RGB", "L") else im.copy()
    return image, path.read_bytes(), path.suffix


def encode(image: Image.Image, fmt: str = "JPEG", quality: int = 85) -> bytes:
    buf = io.BytesIO()
    image.save(buf, fmt, **({"quality": quality} if fmt == "JPEG" else {}))
    return buf.getvalue()


def variant(image: Image.Image, transform: str) -> bytes:
    """A near-duplicate: re-encoded as JPEG quality 50, resized to 60%, or cropped by 3% on each side."""
    if transform == "reencode":
        return encode(image, quality=50)
    if transform == "resize":
        return encode(image.resize((image.width * 3 // 5, image.height * 3 // 5), Image.LANCZOS), "PNG")
    c = max(1, round(0.03 * min(image.size)))
    return encode(image.crop((c, c, image.width - c, image.height - c)), quality=90)


def faces(count: int) -> list[Image.Image]:
    """Small 25x25 faces from the LFW subset inside the wheel (too small for the filter)."""
    arr = np.load(data_dir() / "lfw_subset.npy")[:count]
    return [Image.fromarray((a * 255).astype(np.uint8)) for a in arr]


def broken(image: Image.Image) -> list[Picture]:
    """Files that must land in quarantine, with the error kind expected."""
    jpeg = encode(image)
    bomb = encode(Image.new("L", (10_000, 9_000)), "PNG")  # 90M pixels in ~90 KB: over Pillow's limit
    return [Picture("broken-truncated", jpeg[: len(jpeg) // 2], "A picture cut in half by a failed upload.",
                    ".jpg", {"kind": "broken", "error_kind": "truncated_media"}),
            Picture("broken-garbage", b"<html>404 not found</html>" * 20,
                    "A page saved as an image by mistake.", ".png",
                    {"kind": "broken", "error_kind": "undecodable_media"}),
            Picture("broken-empty", b"", "An empty file.", ".jpg",
                    {"kind": "broken", "error_kind": "empty_file"}),
            Picture("broken-bomb", bomb, "A huge blank canvas.", ".png",
                    {"kind": "broken", "error_kind": "too_large"})]
