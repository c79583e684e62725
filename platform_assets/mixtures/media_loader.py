"""The training loader for media mixtures: the sampled rows' file bytes, read with Lance's blob API.

    mix = MediaMixture.open("image_text", version="mixture-image_text-v2")
    order = ShardedOrder(len(mix), seed=0, rank=r, world_size=w)     # the text loader's sharded epochs
    for rows, data in mix.batches(order, batch_size=32, start=samples_seen):    # bytes per sample
        images = [PIL.Image.open(io.BytesIO(b)) for b in data]
    rows, files = mix.take([3, 17])                                   # file-like: read, seek, read_range

A mixture that reads `clean_media` stores, in every row, the clean_media version it was built from
(`media_version`); the loader opens that version and fetches only the sampled rows' blobs with
`read_blobs` / `take_blobs(addresses=...)`, never the whole column. Resuming, sharding and epochs are
`Mixture`'s own.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence

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


class MediaMixture:
    """Map-style access to a media mixture: rows from `Mixture`, bytes from clean_media's blob column."""

    def __init__(self, name: str, version: int | str | None = None, root_uri: str | None = None,
                 storage_options: dict | None = None, columns: Sequence[str] = COLUMNS):
        root = root_uri or settings.lake_uri()
        self.rows = Mixture(name, version, root, storage_options, columns=list(columns))
        self.media_uri = lance_datasets.dataset_uri(root, [MEDIA_ASSET])
        self.storage_options = storage_options
        self._media: dict[int, tuple] = {}  # version -> (dataset, sorted doc_ids, their row addresses)
        self._pid = os.getpid()

    @classmethod
    def open(cls, name: str, version: int | str | None = None, **kwargs) -> MediaMixture:
        return cls(name, version, **kwargs)

    def __len__(self) -> int:
        return len(self.rows)

    def take(self, sample_indices: Sequence[int] | np.ndarray,
             as_bytes: bool = False) -> tuple[pa.Table, list]:
        """The samples' rows and, in the same order, a file-like object (`lance.BlobFile`: read, seek,
        read_range) per sample, or its bytes with `as_bytes` (Lance's planned, batched `read_blobs`)."""
        rows = self.rows.take(sample_indices)
        files: list = [None] * rows.num_rows
        versions = rows.column(MEDIA_VERSION_COLUMN)
        if versions.null_count:
            raise ValueError(f"mixture {self.rows.name!r} has rows without {MEDIA_VERSION_COLUMN}")
        for version in pc.unique(versions).to_pylist():
            where = np.flatnonzero(pc.equal(versions, version).to_numpy(zero_copy_only=False))
            ds, addresses = self._addresses(version, rows.column("doc_id").take(where))
            if as_bytes:
                got = [b for _, b in ds.read_blobs(BLOB_COLUMN, addresses=addresses, preserve_order=True)]
            else:
                got = ds.take_blobs(BLOB_COLUMN, addresses=addresses)
            for i, item in zip(where, got, strict=True):
                files[i] = item
        return rows, files

    def read(self, sample_indices: Sequence[int] | np.ndarray) -> list[bytes]:
        """The samples' file bytes, in the order asked."""
        return self.take(sample_indices, as_bytes=True)[1]

    def batches(self, order: ShardedOrder, batch_size: int, start: int = 0, stop: int | None = None,
                as_bytes: bool = True) -> Iterator[tuple[pa.Table, list]]:
        """This shard's samples from global offset `start`: (rows, bytes or file-like objects) per batch."""
        for chunk in order.chunks(start, stop if stop is not None else order.stop, batch_size):
            yield self.take(chunk, as_bytes)

    def _addresses(self, version: int, doc_ids: pa.Array) -> tuple:
        if os.getpid() != self._pid:  # Lance handles must not cross a fork (dataloader workers)
            self._media, self._pid = {}, os.getpid()
        if version not in self._media:
            ds = lance.dataset(self.media_uri, version=version, storage_options=self.storage_options)
            index = ds.to_table(columns=["doc_id"], with_row_address=True).sort_by("doc_id")
            self._media[version] = (ds, index.column("doc_id").combine_chunks(),
                                    index.column("_rowaddr").to_numpy())
        ds, ids, addresses = self._media[version]
        at = pc.index_in(doc_ids, value_set=ids)
        if at.null_count:
            missing = doc_ids.filter(at.is_null())[0].as_py()
            raise LookupError(f"{MEDIA_ASSET} version {version} has no doc_id {missing!r}")
        return ds, addresses[at.to_numpy()].tolist()

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_media": {}, "_pid": -1}
