"""Landing-file readers: each yields `(line, payload, problem)` per record, in file order.

`line` is 1-based (the line of a JSONL file, the row of a Parquet file, 1 for a txt file) or None for a
problem with the whole file. `payload` is the record's raw bytes (JSONL, txt) or a dict (Parquet).
`problem` is None for a readable record; otherwise the part that could not be read, and why. A
compressed stream that breaks (truncated or corrupt) still yields every complete line before the break.
A record over `max_bytes` is a `too_large` problem whose payload is only its head: memory stays bounded
by the limit, and reading a line costs time linear in its length.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import zstandard

CHUNK_BYTES = 1 << 18  # compressed bytes per read: bounds memory even for highly compressible input
HEAD_BYTES = 1 << 16  # what is kept of a too-large record (the quarantine stores a bounded part of it)
NO_LIMIT = 1 << 62
FORMATS = {
    ".jsonl": "jsonl", ".jsonl.gz": "jsonl", ".jsonl.zst": "jsonl", ".parquet": "parquet", ".txt": "txt",
}


@dataclass(frozen=True, slots=True)
class Problem:
    kind: str  # snake_case error kind, e.g. bad_json, truncated_file
    message: str
    field: str | None = None


Item = tuple[int | None, bytes | dict, Problem | None]


class _StreamBroken(Exception):
    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


def suffix_of(path: Path) -> str | None:
    """The supported suffix of `path` (`.jsonl.gz`, `.parquet`, ...) or None."""
    name = path.name.lower()
    return next((s for s in sorted(FORMATS, key=len, reverse=True) if name.endswith(s)), None)


def read_file(path: Path, batch_rows: int = 4096, max_bytes: int = NO_LIMIT) -> Iterator[Item]:
    """Every record of one landing file, or one problem if the file cannot be read at all."""
    suffix = suffix_of(path)
    if suffix is None:
        yield None, b"", Problem("unsupported_format", f"unsupported file type; expected {sorted(FORMATS)}")
    elif FORMATS[suffix] == "parquet":
        yield from _parquet_rows(path, batch_rows)
    elif suffix == ".txt":
        yield from _whole_file(path, max_bytes)
    else:
        yield from _jsonl_lines(path, suffix.rsplit(".", 1)[-1], max_bytes)


def too_large(size: int, max_bytes: int) -> Problem:
    return Problem("too_large", f"the record has {size} bytes, over the source's max_document_bytes "
                   f"({max_bytes}, sources.yaml); it was not read further")


def _whole_file(path: Path, max_bytes: int) -> Iterator[Item]:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            with open(path, "rb") as fh:
                yield 1, fh.read(HEAD_BYTES), too_large(size, max_bytes)
            return
        yield 1, path.read_bytes(), None
    except OSError as exc:
        yield None, b"", Problem("unreadable_file", f"cannot read the file: {exc}")


class _Line:
    """The line being read: its pieces (only its head once it is over the limit) and its size."""

    def __init__(self, max_bytes: int):
        self.max_bytes, self.pieces, self.size = max_bytes, [], 0

    def add(self, piece: bytes) -> None:
        before, self.size = self.size, self.size + len(piece)
        if self.size <= self.max_bytes:
            self.pieces.append(piece)
        elif before <= self.max_bytes:  # just went over: keep the head only
            self.pieces = [b"".join([*self.pieces, piece[:HEAD_BYTES]])[:HEAD_BYTES]]

    def take(self) -> tuple[bytes, Problem | None]:
        data = b"".join(self.pieces)
        problem = too_large(self.size, self.max_bytes) if self.size > self.max_bytes else None
        self.pieces, self.size = [], 0
        return (data if problem else data.removesuffix(b"\r")), problem


def _jsonl_lines(path: Path, codec: str, max_bytes: int) -> Iterator[Item]:
    line, current = 0, _Line(max_bytes)
    try:
        for chunk in _decoded_chunks(path, codec):
            start = 0
            while (end := chunk.find(b"\n", start)) != -1:
                current.add(chunk[start:end])
                line += 1
                yield line, *current.take()
                start = end + 1
            if start < len(chunk):
                current.add(chunk[start:])
    except _StreamBroken as exc:
        rest, _ = current.take()
        yield line + 1, rest, Problem(exc.kind, f"{exc} after line {line}; the lines before it were kept")
        return
    except OSError as exc:
        rest, _ = current.take()
        yield (line + 1 if line else None), rest, Problem("unreadable_file", f"cannot read the file: {exc}")
        return
    if current.size:
        yield line + 1, *current.take()


def _decoded_chunks(path: Path, codec: str) -> Iterator[bytes]:
    """The decompressed bytes of `path`; raises _StreamBroken where the stream is cut or corrupt."""
    new: Callable | None = {
        "gz": lambda: zlib.decompressobj(wbits=31),
        "zst": lambda: zstandard.ZstdDecompressor().decompressobj(),
    }.get(codec)
    with open(path, "rb") as fh:
        if new is None:
            yield from iter(lambda: fh.read(CHUNK_BYTES), b"")
            return
        dec, in_member = new(), False
        while chunk := fh.read(CHUNK_BYTES):
            while chunk:  # a file may hold several gzip members / zstd frames back to back
                try:
                    out = dec.decompress(chunk)
                except (zlib.error, zstandard.ZstdError) as exc:
                    raise _StreamBroken("corrupt_file", f"corrupt {codec} data: {exc}") from exc
                in_member = True
                if out:
                    yield out
                chunk = b""
                if dec.eof:
                    chunk, dec, in_member = dec.unused_data, new(), False
        if in_member:
            raise _StreamBroken("truncated_file", f"the {codec} stream ends before its end marker")


def _parquet_rows(path: Path, batch_rows: int) -> Iterator[Item]:
    try:
        pf = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as exc:
        yield None, b"", Problem("unreadable_file", f"not a readable Parquet file: {exc}")
        return
    row = 0
    try:
        for batch in pf.iter_batches(batch_size=batch_rows):
            for record in batch.to_pylist():
                row += 1
                yield row, record, None
    except (pa.ArrowException, OSError, UnicodeDecodeError) as exc:
        yield row + 1, b"", Problem("corrupt_file", f"Parquet data unreadable from row {row + 1}: {exc}")
