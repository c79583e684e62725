"""A mixture over clean_media and the media loader: sampled rows' bytes equal the landed files, sharded and
resumable like the text loader."""

from __future__ import annotations

import tarfile

import dagster as dg
import lance
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from platform_assets import settings
from platform_assets.mixtures import media_loader
from platform_assets.mixtures.loader import ShardedOrder
from platform_assets.mixtures.media_loader import MediaMixture
from platform_assets.mixtures.mixtures import build_mixtures_asset
from resources.duckdb_engine import DuckDBEngine
from resources.lance_io_manager import LanceIOManager
from tests.platform_assets.conftest import at_home


def landed_bytes(landing, file: str) -> bytes:
    """The bytes of a landed item named as raw_media names it: a path, `x.tar:member`, `x.parquet#row`."""
    if ".tar:" in file:
        shard, member = file.split(":", 1)
        with tarfile.open(landing / shard) as tar:
            return tar.extractfile(member).read()
    if ".parquet#" in file:
        path, row = file.split("#")
        return pq.read_table(landing / path).column("bytes")[int(row) - 1].as_py()
    return (landing / file).read_bytes()


@pytest.fixture(scope="module")
def lake(media_lake):
    """The shared media lake plus the demo's `image_text` mixture over it."""
    _, home = media_lake
    with at_home(home):
        io_manager = LanceIOManager(root_uri=str(home / "lake"))
        lance.write_dataset(pa.table({"doc_id": pa.array([], pa.string()), "day": pa.array([], pa.string())}),
                            str(home / "lake" / "heldout_documents.lance"))
        mixtures = build_mixtures_asset(settings.spec_dir() / "mixtures")
        assert dg.materialize([mixtures], partition_key="image_text", resources={
            "lance_io_manager": io_manager, "sql_engine": DuckDBEngine(root_uri=str(home / "lake"))}).success
        yield home


def test_loader_bytes_equal_the_landed_files(lake):
    mix = MediaMixture.open("image_text", root_uri=str(lake / "lake"))
    rows, files = mix.take(np.arange(len(mix)))
    clean = LanceIOManager(root_uri=str(lake / "lake")).open(dg.AssetKey("clean_media")).to_table(
        columns=["doc_id", "file", "modality"])
    where = dict(zip(clean.column("doc_id").to_pylist(), clean.column("file").to_pylist(), strict=True))
    assert set(rows.column("component").to_pylist()) == {"images", "audio"}
    formats = set()
    for doc, blob in zip(rows.column("doc_id").to_pylist(), files, strict=True):
        formats.add(where[doc].rsplit("/", 1)[-1].split(".")[-1][:4])
        blob.seek(0)
        assert blob.read() == landed_bytes(lake / "landing", where[doc])
    assert {"tar:", "parq"} & formats  # not only plain files


def test_file_objects_support_partial_reads(lake):
    mix = MediaMixture.open("image_text", root_uri=str(lake / "lake"))
    (whole,) = mix.read([0])
    _, (blob,) = mix.take([0])
    blob.seek(4)
    assert blob.read(8) == whole[4:12]
    with pytest.raises(IndexError):
        mix.read([len(mix)])


def test_sharded_epochs_resume_exactly(lake):
    mix = MediaMixture.open("image_text", root_uri=str(lake / "lake"))
    seen: list[str] = []
    for rank in range(2):
        order = ShardedOrder(len(mix), seed=1, rank=rank, world_size=2, epochs=2)
        full = [r for rows, _ in mix.batches(order, 4) for r in rows.column("doc_id").to_pylist()]
        resumed = [r for rows, _ in mix.batches(order, 4, start=6) for r in rows.column("doc_id").to_pylist()]
        assert [len(b) for _, data in mix.batches(order, 4, stop=4) for b in data] == [
            len(b) for b in mix.read(order.samples(0, 4))]
        assert resumed == full[3:]  # 6 global samples seen = 3 on each of the 2 ranks
        ahead = [(r.column("doc_id").to_pylist(), d) for r, d in mix.batches(order, 4, read_ahead=3)]
        assert ahead == [(r.column("doc_id").to_pylist(), d) for r, d in mix.batches(order, 4)]
        assert len(ahead) > 3 and len(ahead) % 3  # several reads ahead, the last one short
        seen += full
    assert set(seen) == set(mix.rows.take(np.arange(len(mix))).column("doc_id").to_pylist())


def test_addresses_resolved_in_chunks_match(lake, monkeypatch):
    whole = MediaMixture.open("image_text", root_uri=str(lake / "lake"))
    monkeypatch.setattr(media_loader, "RESOLVE_CHUNK", 3)
    chunked = MediaMixture.open("image_text", root_uri=str(lake / "lake"))
    assert chunked.addresses.tolist() == whole.addresses.tolist() and len(set(whole.addresses.tolist())) > 3
    assert chunked.read([0, len(whole) - 1]) == whole.read([0, len(whole) - 1])
