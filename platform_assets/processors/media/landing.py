"""Media landing readers: one day folder of a media source, in any of three formats, as items in file order.

- folder + sidecar: media files next to `*.jsonl` sidecars whose lines are
  `{"file", "caption"|"transcript", "id"?, "url"?}` (`file` relative to the day folder);
- WebDataset `.tar` shards: the members of one sample are adjacent and share a key (the name up to its first
  dot): `key.jpg|png|wav|flac` plus `key.txt` (the caption) or `key.json` (the sidecar fields);
- Parquet with a bytes column (`fields.bytes`) and the text, id, url and file-name columns.

Each item is either a `Landed` file or a `(file, line, raw, Problem)` for what cannot be read (a bad sidecar
line, a sidecar entry without its file, a cut tar shard); a cut shard still yields every sample before it.
`landed_file` names the file an item was landed in (what the `files_readable` check counts per file).
"""

from __future__ import annotations

import re
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from platform_assets.processors.ingest_files import Problem
from platform_assets.processors.media.decode import MEDIA_SUFFIXES
from platform_assets.processors.sources import SourceConfig


@dataclass(frozen=True, slots=True)
class Landed:
    file: str  # `<source>/<day>/x.jpg`, `<source>/<day>/shard.tar:key.jpg`, `<source>/<day>/x.parquet#3`
    landing_format: str  # folder | webdataset | parquet
    data: bytes
    record: dict  # the sidecar fields (may be empty)


Failed = tuple[str, int | None, bytes, Problem]
Item = Landed | Failed
_MEMBER = re.compile(r"^(.+?\.(?:tar:|parquet#))", re.IGNORECASE)


def landed_file(file: str) -> str:
    """The landed file an item's `file` belongs to: a tar member's shard, a Parquet row's file, the day folder
    `<source>/<day>/` for the folder format (media files and their sidecars); any other file is its own."""
    member = _MEMBER.match(file)
    if member:
        return member.group(1)[:-1]
    parts = file.split("/")
    suffix = "." + parts[-1].rsplit(".", 1)[-1].lower() if "." in parts[-1] else ""
    return "/".join(parts[:2]) + "/" if suffix in MEDIA_SUFFIXES or suffix == ".jsonl" else file


def read_day(day_dir: Path, rel: str, config: SourceConfig) -> Iterator[Item]:
    """Every media item of one source's day folder (`rel` = its path relative to the landing folder)."""
    files = sorted(p for p in day_dir.rglob("*") if p.is_file() and
                   not any(part.startswith(("_", ".")) for part in p.relative_to(day_dir).parts))
    sidecars = [p for p in files if p.suffix.lower() == ".jsonl"]
    entries: dict[str, dict] = {}
    for sidecar in sidecars:
        yield from _sidecar(sidecar, day_dir, rel, config, entries)
    for path in files:
        name = f"{rel}/{path.relative_to(day_dir).as_posix()}"
        suffix = path.suffix.lower()
        if suffix in MEDIA_SUFFIXES:
            yield Landed(name, "folder", path.read_bytes(),
                         entries.pop(path.relative_to(day_dir).as_posix(), {}))
        elif suffix == ".tar":
            yield from _tar(path, name, config)
        elif suffix == ".parquet":
            yield from _parquet(path, name, config)
        elif suffix != ".jsonl":
            yield name, None, b"", Problem("unsupported_format", "not a media file, sidecar, tar or parquet")
    for file, entry in entries.items():  # sidecar lines whose file never landed
        yield f"{rel}/{file}", entry["_line"], orjson.dumps(entry), Problem(
            "missing_file", f"the sidecar {entry['_sidecar']} names {file!r}, which is not in the folder",
            config.fields.file)


def _sidecar(path: Path, day_dir: Path, rel: str, config: SourceConfig, entries: dict) -> Iterator[Failed]:
    name = f"{rel}/{path.relative_to(day_dir).as_posix()}"
    for line, raw in enumerate(path.read_bytes().splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            value = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            yield name, line, raw, Problem("bad_json", f"not valid JSON: {exc}")
            continue
        file = value.get(config.fields.file) if isinstance(value, dict) else None
        if not isinstance(file, str):
            yield name, line, raw, Problem("missing_file", f"the line names no '{config.fields.file}'",
                                           config.fields.file)
            continue
        entries[file] = {**value, "_line": line, "_sidecar": path.name}


def _tar(path: Path, name: str, config: SourceConfig) -> Iterator[Item]:
    sample: dict[str, bytes] = {}
    key = None
    done = 0
    try:
        with tarfile.open(path, mode="r|*") as tar:
            for member in tar:
                if not member.isfile():
                    continue
                base = member.name.rsplit("/", 1)[-1]
                this = member.name[: len(member.name) - len(base)] + base.split(".", 1)[0]
                if key is not None and this != key:
                    yield from _tar_sample(name, key, sample, config)
                    done, sample = done + 1, {}
                key = this
                sample["." + base.split(".", 1)[-1].lower()] = tar.extractfile(member).read()
    except (tarfile.TarError, EOFError, OSError) as exc:  # the shard is lost whole only with no sample kept
        yield name, done + 1 if done else None, b"", Problem(
            "truncated_file", f"tar shard unreadable after {done} samples ({type(exc).__name__}: {exc}); "
            "the samples before it were kept")
        return
    if key is not None:
        yield from _tar_sample(name, key, sample, config)


def _tar_sample(name: str, key: str, sample: dict[str, bytes], config: SourceConfig) -> Iterator[Item]:
    media = [ext for ext in sample if "." + ext.rsplit(".", 1)[-1] in MEDIA_SUFFIXES]
    if not media:
        yield f"{name}:{key}", None, b"", Problem("missing_file", f"sample {key!r} has no media member "
                                                   f"(members: {sorted(sample)})")
        return
    record: dict = {}
    if ".json" in sample:
        try:
            record = orjson.loads(sample[".json"])
        except orjson.JSONDecodeError as exc:
            yield f"{name}:{key}.json", None, sample[".json"], Problem("bad_json", f"not valid JSON: {exc}")
            return
    elif ".txt" in sample:
        record = {config.text_field(): sample[".txt"].decode("utf-8", "replace")}
    yield Landed(f"{name}:{key}{media[0]}", "webdataset", sample[media[0]], record)


def _parquet(path: Path, name: str, config: SourceConfig) -> Iterator[Item]:
    fields = config.fields
    try:
        pf = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as exc:
        yield name, None, b"", Problem("unreadable_file", f"not a readable Parquet file: {exc}")
        return
    if fields.bytes not in pf.schema_arrow.names:
        yield name, None, b"", Problem("missing_file", f"no bytes column '{fields.bytes}'", fields.bytes)
        return
    row = 0
    try:
        for batch in pf.iter_batches(batch_size=256):
            for record in batch.to_pylist():
                row += 1
                data = record.pop(fields.bytes)
                if not isinstance(data, bytes):
                    yield f"{name}#{row}", row, b"", Problem("bad_field_type", f"'{fields.bytes}' holds no "
                                                             "bytes", fields.bytes)
                    continue
                yield Landed(f"{name}#{row}", "parquet", data, record)
    except (pa.ArrowException, OSError) as exc:
        yield name, row + 1, b"", Problem("corrupt_file", f"Parquet unreadable from row {row + 1}: {exc}")
