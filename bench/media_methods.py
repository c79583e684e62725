"""bench/media's methods: each reads the files of one round's samples (or of the whole partition) one way.

A method is `fn(round) -> the bytes of every file it read`, file by file. Everything a training loader opens
once (datasets, Parquet footers, the tar's index) is opened here, outside the timed part. Parquet is read with
the bytes column only, at each row-group size and in each way pyarrow offers (memory-mapped; buffered reads
with `pre_buffer`, which coalesces ranges and reads them in parallel; plain reads): the fastest in each
operation is the baseline. Warm operations read every bench file through first. `lance_uring` is the loader's
read through Lance's io_uring reader, the leanest read Lance offers (a diagnostic: the loader opens datasets
plainly). Cold-cache operations reopen their Parquet files before every call (a memory map keeps the pages it
touched cached, so every other Parquet handle is closed first) and evict every bench file; see
bench/page_cache.py.
"""

from __future__ import annotations

import os
import tarfile
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path

import lance
import numpy as np
import pyarrow.parquet as pq

from bench.lance_vs_parquet import parquet_take
from bench.media_data import MIXTURE, PARQUET_ROW_GROUPS, parquet_path
from bench.page_cache import evict, files_under, load
from platform_assets.mixtures.loader import ShardedOrder
from platform_assets.mixtures.media_loader import MediaMixture
from resources.lance_datasets import dataset_uri

BATCH = 64  # files per loader batch / per Parquet batch
READ_AHEAD = 8  # loader batches per read in the full stream's second loader method
Method = Callable[[int], Iterable[bytes]]  # round -> the bytes it read, file by file
PARQUET_MODES = {"mmap": {"memory_map": True, "pre_buffer": False},
                 "prebuf": {"memory_map": False, "pre_buffer": True},
                 "read": {"memory_map": False, "pre_buffer": False}}


class ParquetTake:
    """Rows' bytes from one Parquet file opened one way, reading only the row groups that hold them."""

    def __init__(self, path: Path, options: dict):
        self.path, self.options = path, options
        self.reopen()

    def close(self) -> None:
        """Drop the handle and with it the memory map (whose pages an eviction cannot drop)."""
        self.file = None

    def reopen(self) -> None:
        self.close()
        self.file = pq.ParquetFile(self.path, **self.options)
        sizes = [self.file.metadata.row_group(i).num_rows for i in range(self.file.num_row_groups)]
        self.starts = np.cumsum([0] + sizes)[:-1]

    def __call__(self, rows: np.ndarray) -> list[bytes]:
        return parquet_take(self.file, self.starts, rows, columns=["bytes"]).column("bytes").to_pylist()


def tar_index(path: Path) -> dict[str, tuple[int, int]]:
    with tarfile.open(path) as tar:
        return {m.name[:-4]: (m.offset_data, m.size) for m in tar.getmembers() if m.name.endswith(".jpg")}


def tar_sequential(path: Path) -> Iterable[bytes]:
    with tarfile.open(path, mode="r|") as tar:
        for member in tar:
            if member.name.endswith(".jpg"):
                yield tar.extractfile(member).read()


def parquet_stream(pf: pq.ParquetFile) -> Iterable[bytes]:
    for batch in pf.iter_batches(batch_size=BATCH, columns=["bytes"]):
        yield from batch.column(0).to_pylist()


def uring_dataset(mix: MediaMixture) -> lance.LanceDataset | None:
    """The mixture's clean_media version through Lance's io_uring reader (`file+uring://`, documented for
    high-IOPS local disks), or None where the kernel or sandbox refuses io_uring."""
    try:
        ds = lance.dataset(f"file+uring://{Path(mix.media_uri).resolve()}", version=int(mix.versions[0]))
        ds.read_blobs("media", addresses=mix.addresses[:1].tolist())
        return ds
    except Exception:  # any refusal (no io_uring in this kernel or sandbox) just leaves the method out
        return None


class MediaBench:
    """The bench's lake, Parquet copies and tar, opened once; the samples of every round."""

    def __init__(self, folder: Path, take: int, rounds: int):
        self.folder = folder
        self.mix = MediaMixture.open(MIXTURE, root_uri=str(folder / "lake"))
        self.clean = lance.dataset(dataset_uri(str(folder / "lake"), ["clean_media"]))
        self.n = n = len(self.mix)
        clean_ids = self.clean.to_table(columns=["doc_id"]).column("doc_id").to_pylist()
        in_clean = {d: i for i, d in enumerate(clean_ids)}
        sample_ids = self.mix.rows.take(np.arange(n), columns=["doc_id"]).column("doc_id").to_pylist()
        self.to_clean = np.array([in_clean[d] for d in sample_ids])  # Parquet and the tar keep clean's order
        self.picks = [np.random.default_rng(r).choice(n, size=take, replace=False) for r in range(rounds)]
        self.batch = min(BATCH, take)  # a loader batch: round r's first `batch` random samples
        index = tar_index(folder / "media.tar")
        self.spans = np.array([index[d] for d in sample_ids])  # per sample: offset, size in the tar
        self.fd = os.open(folder / "media.tar", os.O_RDONLY)
        self.tar_bytes = (folder / "media.tar").read_bytes()
        self.uring = uring_dataset(self.mix)
        self.files = files_under([folder / "lake" / "clean_media.lance", folder / "media.tar",
                                  *(parquet_path(folder, g) for g in PARQUET_ROW_GROUPS)])

    def samples(self, kind: str, r: int) -> np.ndarray:
        return self.picks[r][: self.batch] if kind == "batch" else self.picks[r]

    def needed_mb(self, kind: str) -> float:
        """Mean MiB of the files a call of `kind` returns."""
        per_call = [self.spans[self.samples(kind, r), 1].sum() for r in range(len(self.picks))]
        return float(np.mean(per_call) / 2**20)

    def take_methods(self, kind: str, cold: bool) -> tuple[dict[str, Method], Callable[[str], None] | None]:
        """The methods reading `kind` ("take": every sample of a round; "batch": a loader batch) and, for a
        cold cache, the untimed step before each call (reopen that method's Parquet file, evict)."""
        pick = self.samples
        parquet = {f"parquet_rg{g}_{mode}": ParquetTake(parquet_path(self.folder, g), options)
                   for g in PARQUET_ROW_GROUPS for mode, options in PARQUET_MODES.items()}
        spans = self.spans
        methods: dict[str, Method] = {"lance_loader": lambda r: self.mix.read(pick(kind, r))}
        if self.uring is not None:
            methods["lance_uring"] = lambda r: [b for _, b in self.uring.read_blobs(
                "media", addresses=self.mix.addresses[pick(kind, r)].tolist(), preserve_order=True)]
        if kind == "take" and not cold:
            methods["lance_take_blobs"] = lambda r: [f.read() for f in self.mix.take(pick(kind, r))[1]]
        methods |= {name: lambda r, read=read: read(self.to_clean[pick(kind, r)])
                    for name, read in parquet.items()}
        methods["pread_floor"] = lambda r: [os.pread(self.fd, int(spans[i, 1]), int(spans[i, 0]))
                                            for i in pick(kind, r)]
        if not cold:
            load(self.files)  # warm: every file in the page cache, not only the rows earlier calls read
            methods["memory_copy_floor"] = lambda r: [self.tar_bytes[o:o + s]
                                                      for o, s in spans[pick(kind, r)].tolist()]
            return methods, None

        def before(name: str) -> None:  # no memory map left but the called method's, on its footer only
            for read in parquet.values():
                read.close()
            if name in parquet:
                parquet[name].reopen()
            evict(self.files)

        return methods, before

    def stream_methods(self) -> dict[str, Method]:
        """Every file once: the loader's shuffled epoch, Lance in storage order, Parquet, the tar."""
        mix, clean, n = self.mix, self.clean, self.n

        def in_order(_r: int) -> Iterable[bytes]:
            for lo in range(0, n, BATCH):
                indices = list(range(lo, min(lo + BATCH, n)))
                yield from (b for _, b in clean.read_blobs("media", indices=indices))

        def epoch(r: int, read_ahead: int = 1) -> Iterable[bytes]:
            for _, got in mix.batches(ShardedOrder(n, seed=r), BATCH, read_ahead=read_ahead):
                yield from got

        files = {g: pq.ParquetFile(parquet_path(self.folder, g), **PARQUET_MODES["mmap"])
                 for g in PARQUET_ROW_GROUPS}
        return {"lance_loader": epoch,
                f"lance_loader_read_ahead_{READ_AHEAD}": partial(epoch, read_ahead=READ_AHEAD),
                "lance_in_order": in_order,
                **{f"parquet_rg{g}": lambda _r, pf=pf: parquet_stream(pf) for g, pf in files.items()},
                "tar_sequential": lambda _r: tar_sequential(self.folder / "media.tar")}

    def take_parts(self) -> dict[str, Method]:
        """Where the loader's take goes (these do not return the files, so they are not checked)."""
        ds = self.mix._dataset(int(self.mix.versions[0]))

        def first_bytes(r: int) -> list[bytes]:  # what Lance's blob reader costs per blob, apart from bytes
            requests = [(a, 0, 1) for a in self.mix.addresses[self.picks[r]].tolist()]
            return [b for _, _, b in ds.read_blob_ranges("media", requests, selector="addresses")]

        return {"lance_1_byte_per_blob": first_bytes,
                "mixture_rows": lambda r: [self.mix.rows.take(self.picks[r]).nbytes.to_bytes(8, "little")]}
