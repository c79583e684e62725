"""Media ingestion: the three landing formats, and every decoder error in quarantine with its reason."""

import io
import tarfile
import warnings

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from PIL import Image

from platform_assets.cli.demo_data import media_audio
from platform_assets.processors.media.ingest import MediaPartition
from platform_assets.processors.sources import SourceConfig

DAY = "2026-02-01"
SOURCES = {"pics": SourceConfig(modality="image"), "talk": SourceConfig(modality="audio")}


def _jpeg(seed: int, size=(96, 80)) -> bytes:
    pixels = np.random.default_rng(seed).integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, "JPEG")
    return buf.getvalue()


def _ingest(landing, max_bytes=1 << 20):
    part = MediaPartition(landing, DAY, SOURCES, max_bytes=max_bytes)
    rows = part.reader().read_all()
    return part, rows, part.quarantined()


@pytest.fixture
def landing(tmp_path):
    pics = tmp_path / "pics" / DAY
    pics.mkdir(parents=True)
    (pics / "ok.jpg").write_bytes(_jpeg(0))
    (pics / "cut.jpg").write_bytes(_jpeg(1)[:900])
    (pics / "junk.png").write_bytes(b"GIF89a but not really" * 10)
    (pics / "empty.jpg").write_bytes(b"")
    (pics / "big.jpg").write_bytes(_jpeg(2, (900, 900)))
    (pics / "notes.doc").write_bytes(b"hello")
    (pics / "captions.jsonl").write_text(
        '{"file": "ok.jpg", "caption": "random colored noise", "id": "p1", "url": "https://x.org/1"}\n'
        '{"file": "gone.jpg", "caption": "never landed"}\n'
        '{not json\n')
    tone = media_audio.encode(media_audio.tone("A", 1.0), "WAV")
    (tmp_path / "talk" / DAY).mkdir(parents=True)
    with tarfile.open(tmp_path / "talk" / DAY / "shard.tar", "w") as tar:
        for name, data in [("a1.wav", tone), ("a1.txt", b"a tone on the note A"),
                           ("a2.wav", tone[: len(tone) // 2]), ("a2.json", b'{"transcript": "cut"}')]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    table = pa.table({"file": ["p.jpg", "q.jpg"], "bytes": [_jpeg(3), b"\xff\xd8\xff broken"],
                      "caption": ["from parquet", "broken in parquet"], "id": ["pq1", "pq2"]})
    pq.write_table(table, pics / "part.parquet")
    return tmp_path


def test_each_decoder_error_lands_in_quarantine_with_its_reason(landing):
    part, rows, bad = _ingest(landing, max_bytes=200_000)
    kinds = dict(zip(bad.column("file").to_pylist(), bad.column("error_kind").to_pylist(), strict=True))
    day = f"pics/{DAY}"
    assert kinds == {
        f"{day}/cut.jpg": "truncated_media", f"{day}/junk.png": "undecodable_media",
        f"{day}/empty.jpg": "empty_file", f"{day}/big.jpg": "too_large",
        f"{day}/notes.doc": "unsupported_format",
        f"{day}/gone.jpg": "missing_file", f"{day}/captions.jsonl": "bad_json",
        f"talk/{DAY}/shard.tar:a2.wav": "truncated_media", f"{day}/part.parquet#2": "undecodable_media",
    }
    errors = dict(zip(bad.column("file").to_pylist(), bad.column("error").to_pylist(), strict=True))
    assert "Pillow" in errors[f"{day}/cut.jpg"] and "truncated" in errors[f"{day}/cut.jpg"]
    assert "RIFF header declares" in errors[f"talk/{DAY}/shard.tar:a2.wav"]
    assert bad.filter(pa.compute.equal(bad.column("error_kind"), "truncated_media")).column("raw")[0].as_py()
    assert sorted(rows.column("file").to_pylist()) == [f"{day}/ok.jpg", f"{day}/part.parquet#1",
                                                       f"talk/{DAY}/shard.tar:a1.wav"]
    # nothing lost: every landed item is a row or a quarantined entry
    assert rows.num_rows + bad.num_rows == 12


def test_formats_map_fields_and_derive_features(landing):
    _, rows, _ = _ingest(landing)
    by_file = {r["file"]: r for r in rows.to_pylist()}
    ok = by_file[f"pics/{DAY}/ok.jpg"]
    assert (ok["source_id"], ok["caption"], ok["url"], ok["landing_format"]) == (
        "p1", "random colored noise", "https://x.org/1", "folder")
    assert (ok["format"], ok["width"], ok["height"], ok["byte_size"]) == ("JPEG", 96, 80, len(ok["media"]))
    assert ok["phash"] is not None and len(ok["sha256"]) == 64
    tone = by_file[f"talk/{DAY}/shard.tar:a1.wav"]
    assert (tone["caption"], tone["modality"], tone["sample_rate"], tone["channels"]) == (
        "a tone on the note A", "audio", 16000, 1)
    assert tone["duration_s"] == pytest.approx(1.0)
    assert by_file[f"pics/{DAY}/part.parquet#1"]["source_id"] == "pq1"


def test_media_sources_are_not_read_as_text(landing):
    from platform_assets.processors.ingest_partition import LandingPartition

    assert LandingPartition(landing, DAY, SOURCES).files == []


def test_a_decompression_bomb_is_quarantined_without_a_warning():
    from platform_assets.processors.media import decode

    png = io.BytesIO()
    Image.new("L", (10_000, 9_000)).save(png, "PNG")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Pillow's DecompressionBombWarning would raise here
        problem = decode.decode(png.getvalue(), "image", max_bytes=10_000_000)
    assert problem.kind == "too_large", problem
