"""quarantined_media's files_readable check: the text stage's, a media item counted in its landed file."""

from __future__ import annotations

import io
import tarfile

import dagster as dg
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from PIL import Image

from platform_assets import settings
from platform_assets.cli.demo_data import media_audio
from platform_assets.media.raw_media import ingest_raw_media
from resources.lance_io_manager import LanceIOManager

DAY = "2026-02-01"


def _jpeg(seed: int) -> bytes:
    buf = io.BytesIO()
    pixels = np.random.default_rng(seed).integers(0, 255, (40, 48, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(buf, "JPEG")
    return buf.getvalue()


def _tar(samples: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name, data in samples:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _land(landing, broken: bool) -> None:
    """The shipped sources.yaml's media sources: `images` and `speech`."""
    pics, talk = landing / "images" / DAY, landing / "speech" / DAY
    pics.mkdir(parents=True)
    talk.mkdir(parents=True)
    for i in range(2):
        (pics / f"ok{i}.jpg").write_bytes(_jpeg(i))
    (pics / "cut.jpg").write_bytes(_jpeg(9)[:300])  # a broken picture: a record of the folder
    tone = media_audio.encode(media_audio.tone("A", 0.2), "WAV")
    shard = _tar([(f"a{i}.wav", tone) for i in range(3)])
    member = 512 + -(-len(tone) // 512) * 512  # a header block and the data's blocks
    (talk / "shard.tar").write_bytes(shard[: 2 * member + 600] if broken else shard)  # cut in the third
    if broken:
        (pics / "garbage.tar").write_bytes(b"not a tar shard at all" * 40)
        pq.write_table(pa.table({"file": ["p.jpg", "q.jpg", "r.jpg"],
                                 "bytes": [_jpeg(3), b"\xff\xd8 broken", b"junk"]}), pics / "part.parquet")


def _check(maslow_home, broken: bool) -> tuple[dg.AssetCheckEvaluation, dict]:
    _land(settings.landing_dir(), broken)
    io_manager = LanceIOManager(root_uri=str(maslow_home / "lake"))
    result = dg.materialize([ingest_raw_media], partition_key=DAY, resources={"lance_io_manager": io_manager})
    [check] = result.get_asset_check_evaluations()
    [event] = [e for e in result.get_asset_materialization_events()
               if e.asset_key == dg.AssetKey("quarantined_media")]
    per_file = {r.data["file"]: r.data for r in event.materialization.metadata["per_file"].value.records}
    return check, per_file


def test_a_lost_or_mostly_quarantined_media_file_fails_files_readable(maslow_home):
    check, per_file = _check(maslow_home, broken=True)
    assert check.asset_key == dg.AssetKey("quarantined_media") and check.check_name == "files_readable"
    assert not check.passed and check.severity == dg.AssetCheckSeverity.ERROR
    problem = check.metadata["problem"].value
    shard = f"images/{DAY}/garbage.tar"
    assert problem.startswith(f"{shard}: {shard}: tar shard unreadable after 0 samples")
    assert problem.endswith(f"; images/{DAY}/part.parquet: 2 of 3 records quarantined (67%)")
    meta = check.metadata
    assert (meta["files_lost_whole"].value, meta["files_mostly_quarantined"].value) == (1, 1)
    assert per_file[f"images/{DAY}/"] == {"file": f"images/{DAY}/", "records": 2, "quarantined": 1,
                                         "quarantined_share": 0.3333}
    assert per_file[f"speech/{DAY}/shard.tar"]["records"] == 2  # the samples before the cut


def test_a_day_with_a_few_broken_pictures_passes(maslow_home):
    check, per_file = _check(maslow_home, broken=False)
    assert check.passed, check.metadata
    assert per_file[f"speech/{DAY}/shard.tar"] == {"file": f"speech/{DAY}/shard.tar", "records": 3,
                                                 "quarantined": 0, "quarantined_share": 0.0}
