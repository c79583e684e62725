"""The training loader for media mixtures: the sampled rows' file bytes, read with Lance's blob API.

    mix = MediaMixture.open("image_text", version="mixture-image_text-v2")
    order = ShardedOrder(len(mix), seed=0, rank=r, world_size=w)     # the text loader's sharded epochs
    for rows, data in mix.batches(order, batch_size=32, start=samples_seen):    # bytes per sample
        images = [PIL.Image.open(io.BytesIO(b)) for b in data]
    rows, files = mix.take([3, 17])                                   # file-like: read, seek, read_range

A mixture that reads `clean_media` stores, in every row, the clean_media version it was built from
(`media_version`). Opening resolves once, for every sample, that version and the row address of its file in
it (one read of the mixture's doc_ids and of each version's doc_ids); a read then costs one planned
`read_blobs` (bytes) or `take_blobs` (file-like) per version of the sampled rows' addresses: never the whole
column, no row read and no doc_id lookup per batch. Resuming, sharding and epochs are `Mixture`'s own.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from itertools import islice

import lance
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from platform_assets import settings
from platform_assets.mixtures.build import MEDIA_ASSET, MEDIA_VERSION_COLUMN
from platform_assets.mixtures.loader import Mixture, ShardedOrder
from platform_assets.processors.media.schemas import BLOB_COLUMN
from resources import lance_datasets

COLUMNS = ("sample_index", "doc_id", "component", "epoch", "text", MEDIA_VERSION_COLUMN)
RESOLVE_CHUNK = 1 << 20  # samples read at a time while resolving addresses (bounds the doc_ids held)


class MediaMixture:
    """Map-style access to a media mixture: rows from `Mixture`, bytes from clean_media's blob column."""

    def __init__(self, name: str, version: int | str | None = None, root_uri: str | None = None,
                 storage_options: dict | None = None, columns: Sequence[str] = COLUMNS):
        root = root_uri or settings.lake_uri()
        self.rows = Mixture(name, version, root, storage_options, columns=list(columns))
        self.media_uri = lance_datasets.dataset_uri(root, [MEDIA_ASSET])
        self.storage_options = storage_options
        self._media: dict[int, lance.LanceDataset] = {}  # clean_media version -> dataset, opened per process
        self._pid = os.getpid()
        self.versions, self.addresses = self._resolve()  # per sample_index: clean_media version, row address

    @classmethod
    def open(cls, name: str, version: int | str | None = None, **kwargs) -> MediaMixture:
        return cls(name, version, **kwargs)

    def __len__(self) -> int:
        return len(self.rows)

    def take(self, sample_indices: Sequence[int] | np.ndarray,
             as_bytes: bool = False) -> tuple[pa.Table, list]:
        """The samples' rows and, in the same order, a file-like object (`lance.BlobFile`: read, seek,
        read_range) per sample, or its bytes with `as_bytes` (Lance's planned, batched `read_blobs`)."""
        idx = np.asarray(sample_indices, dtype=np.int64)
        rows = self.rows.take(idx)
        return rows, self._blobs(idx, as_bytes)

    def read(self, sample_indices: Sequence[int] | np.ndarray) -> list[bytes]:
        """The samples' file bytes, in the order asked (no row is read)."""
        idx = np.asarray(sample_indices, dtype=np.int64)
        if len(idx) and (idx.min() < 0 or idx.max() >= len(self)):
            raise IndexError(f"sample_index out of range 0..{len(self) - 1}")
        return self._blobs(idx, as_bytes=True)

    def batches(self, order: ShardedOrder, batch_size: int, start: int = 0, stop: int | None = None,
                as_bytes: bool = True, read_ahead: int = 1) -> Iterator[tuple[pa.Table, list]]:
        """This shard's samples from global offset `start`: (rows, bytes or file-like objects) per batch.
        `read_ahead` batches are read in one call (rows and blobs), which spreads the per-call cost of
        Lance's blob reader (~0.5 ms, docs/media_bench.md) over them; memory holds that many batches."""
        chunks = order.chunks(start, stop if stop is not None else order.stop, batch_size)
        while group := list(islice(chunks, max(read_ahead, 1))):
            rows, data = self.take(np.concatenate(group), as_bytes)
            at = 0
            for chunk in group:
                yield rows.slice(at, len(chunk)), data[at:at + len(chunk)]
                at += len(chunk)

    def _blobs(self, idx: np.ndarray, as_bytes: bool) -> list:
        versions, addresses = self.versions[idx], self.addresses[idx]
        files: list = [None] * len(idx)
        for version in np.unique(versions).tolist():
            where = np.flatnonzero(versions == version)
            wanted, ds = addresses[where].tolist(), self._dataset(version)
            if as_bytes:
                got = [b for _, b in ds.read_blobs(BLOB_COLUMN, addresses=wanted, preserve_order=True)]
            else:
                got = ds.take_blobs(BLOB_COLUMN, addresses=wanted)
            if len(where) == len(idx):
                return got
            for i, item in zip(where.tolist(), got, strict=True):
                files[i] = item
        return files

    def _resolve(self) -> tuple[np.ndarray, np.ndarray]:
        n = len(self)
        versions, addresses = np.empty(n, np.int64), np.empty(n, np.uint64)
        indexes: dict[int, pa.Table] = {}  # clean_media version -> its doc_ids and their row addresses
        for lo in range(0, n, RESOLVE_CHUNK):
            part = self.rows.take(np.arange(lo, min(lo + RESOLVE_CHUNK, n)),
                                  columns=["doc_id", MEDIA_VERSION_COLUMN])
            if part.column(MEDIA_VERSION_COLUMN).null_count:
                raise ValueError(f"mixture {self.rows.name!r} has rows without {MEDIA_VERSION_COLUMN}")
            chunk = part.column(MEDIA_VERSION_COLUMN).to_numpy().astype(np.int64)
            versions[lo:lo + len(chunk)] = chunk
            for version in np.unique(chunk).tolist():
                if version not in indexes:
                    indexes[version] = self._dataset(version).to_table(columns=["doc_id"],
                                                                       with_row_address=True)
                where = np.flatnonzero(chunk == version)
                ids = part.column("doc_id").take(where)
                addresses[lo + where] = _addresses(indexes[version], ids, version)
        return versions, addresses

    def _dataset(self, version: int) -> lance.LanceDataset:
        if os.getpid() != self._pid:  # Lance handles must not cross a fork (dataloader workers)
            self._media, self._pid = {}, os.getpid()
        if version not in self._media:
            self._media[version] = lance.dataset(self.media_uri, version=version,
                                                 storage_options=self.storage_options)
        return self._media[version]

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_media": {}, "_pid": -1}


def _addresses(index: pa.Table, doc_ids: pa.ChunkedArray, version: int) -> np.ndarray:
    """The row addresses of `doc_ids` in a clean_media version's (doc_id, _rowaddr) index."""
    at = pc.index_in(doc_ids, value_set=index.column("doc_id"))
    if at.null_count:
        missing = doc_ids.filter(at.is_null())[0].as_py()
        raise LookupError(f"{MEDIA_ASSET} version {version} has no doc_id {missing!r}")
    return index.column("_rowaddr").to_numpy()[at.to_numpy()]
