"""Writes the demo's media sources (`images`, `speech`; sources.yaml maps them as `modality: image|audio`)
in the three landing formats, one per day in turn: a folder with a sidecar JSONL, a WebDataset tar shard,
Parquet with a bytes column. Returns the truth: every planted item by doc_id, with what should happen to it.
"""

from __future__ import annotations

import hashlib
import io
import tarfile
from pathlib import Path

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from platform_assets.cli.demo_data import media_audio as audio
from platform_assets.cli.demo_data import media_images as images
from platform_assets.cli.demo_data.media_images import Picture
from platform_assets.processors.media.ingest import media_doc_id

FORMATS = ("folder", "webdataset", "parquet")
CROSS_DAY = (2, 5)  # near-duplicates of these originals land a day later (found by the incremental scope)


def write_media(landing: Path, days: list[str], seed: int) -> dict:
    by_day_images = _images(days)
    rng = np.random.default_rng([seed, 19])
    by_day_audio = {day: [audio.clip(rng, f"clip-{i}-{k}") for k in range(8)] for i, day in enumerate(days)}
    by_day_audio[days[0]] += audio.planted(rng)
    copy = by_day_audio[days[0]][0]
    by_day_audio[days[0]].append(Picture("clip-copy", copy.data, copy.caption, copy.ext,
                                         {"kind": "exact_duplicate", "of": copy.id}))
    truth = {"images": [], "speech": []}
    ids = {(s, p.id): _doc_id(s, p) for s, by_day in (("images", by_day_images), ("speech", by_day_audio))
           for items in by_day.values() for p in items}
    for i, day in enumerate(days):
        fmt = FORMATS[i % 3]
        _write(landing / "images" / day, fmt, by_day_images[day], "caption")
        _write(landing / "speech" / day, "webdataset" if fmt == "webdataset" else "folder",
               by_day_audio[day], "transcript")
        for source, items in (("images", by_day_images[day]), ("speech", by_day_audio[day])):
            mine = {key: v for (s, key), v in ids.items() if s == source}
            truth[source] += [_truth(source, day, p, mine) for p in items]
    return truth


def _truth(source: str, day: str, p: Picture, ids: dict[str, str]) -> dict:
    meta = dict(p.meta)
    if "of" in meta:
        meta["of"] = ids[meta["of"]]
    return {"doc_id": ids[p.id], "id": p.id, "day": day, **meta}


def _doc_id(source: str, p: Picture) -> str:
    return media_doc_id(source, p.id, p.id, hashlib.sha256(p.data).hexdigest())


def _images(days: list[str]) -> dict[str, list[Picture]]:
    out: dict[str, list[Picture]] = {day: [] for day in days}
    names = list(images.CAPTIONS)
    for k, name in enumerate(names):
        day = days[k % len(days)]
        image, data, ext = images.load_original(name)
        caption = images.CAPTIONS[name]
        meta: dict = {"kind": "original"}
        if k == 11:
            caption, meta = None, {"kind": "filtered", "reason": "missing_caption"}
        elif k == 12:
            caption, meta = "img", {"kind": "filtered", "reason": "caption_too_short"}
        elif k == 13:
            caption = "Ein Foto von bunten Farbflächen auf einem weißen Blatt Papier im Sonnenlicht."
            meta = {"kind": "filtered", "reason": "caption_language"}
        elif k == 14:
            caption += " Licensing questions to jane.doe@example.com please."
            meta = {"kind": "pii", "emails": 1}
        out[day].append(Picture(name, data, caption, ext, meta))
        if k < 9:
            transform = images.TRANSFORMS[k % 3]
            later = days[min(days.index(day) + 1, len(days) - 1)] if k in CROSS_DAY else day
            suffix = ".jpg" if transform != "resize" else ".png"
            out[later].append(Picture(f"{name}-{transform}", images.variant(image, transform), caption,
                                      suffix, {"kind": "near_duplicate", "of": name, "transform": transform}))
        if k == 10:
            out[day].append(Picture(f"{name}-copy", data, caption, ext,
                                    {"kind": "exact_duplicate", "of": name}))
    first, last = days[0], days[-1]
    hubble, _, _ = images.load_original("hubble_deep_field")
    out[first] += images.broken(hubble)
    out[last].append(Picture("hubble-strip", images.encode(hubble.crop((0, 400, 900, 520))),
                             "A thin strip cut from the Hubble deep field image.", ".jpg",
                             {"kind": "filtered", "reason": "bad_aspect_ratio"}))
    for j, face in enumerate(images.faces(3)):
        out[last].append(Picture(f"face-{j}", images.encode(face, "PNG"), "A small grey photo of a face.",
                                 ".png", {"kind": "filtered", "reason": "image_too_small"}))
    return out


def _write(folder: Path, fmt: str, items: list[Picture], text_key: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    records = [{"file": p.id + p.ext, "id": p.id, "url": f"https://media.example.org/{p.id}",
                **({text_key: p.caption} if p.caption is not None else {})} for p in items]
    if fmt == "folder":
        for p in items:
            (folder / (p.id + p.ext)).write_bytes(p.data)
        (folder / "captions.jsonl").write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    elif fmt == "webdataset":
        with tarfile.open(folder / "shard-00000.tar", "w", format=tarfile.USTAR_FORMAT) as tar:
            for p, r in zip(items, records, strict=True):
                _add(tar, p.id + p.ext, p.data)
                _add(tar, p.id + ".json", orjson.dumps(r))
    else:
        table = pa.table({"file": [r["file"] for r in records], "bytes": pa.array([p.data for p in items]),
                          text_key: [p.caption for p in items], "id": [p.id for p in items],
                          "url": [r["url"] for r in records]})
        pq.write_table(table, folder / "part-00000.parquet", row_group_size=64)


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime = len(data), 0
    tar.addfile(info, io.BytesIO(data))
