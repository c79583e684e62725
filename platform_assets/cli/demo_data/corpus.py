"""The in-memory demo corpus: documents per (source, day), before planters change it and it is written.

A planter (see planters.py) is `Callable[[Corpus], None]`: it adds or edits documents through `pick`,
`add` and `new_doc`, and appends what it planted to `corpus.truth[<its key>]` through `record`. Documents
a planter touched are marked `used`, so the next planter never edits or copies them and every truth
entry stays exact.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from platform_assets.cli.demo_data.prose import Prose
from platform_assets.cli.demo_data.rng import FastRandom, derive
from platform_assets.processors.ingest import doc_id, id_kind


@dataclass(slots=True, eq=False)
class Doc:
    source: str
    day: str
    source_id: str | int | None  # None: the record has no id; ingestion uses `<file>:<line>`
    text: str
    kind: str  # prose, code, math, dialog, foreign, low_quality, code_junk, ...
    url: str | None = None
    meta: dict | None = None
    used: bool = False
    file: str | None = None  # set by the writer
    line: int | None = None

    def ingested_id(self) -> str:
        return str(self.source_id) if self.source_id is not None else f"{self.file}:{self.line}"

    def ref(self) -> dict[str, Any]:
        """How the truth file names this document: what raw_documents will hold for it."""
        sid = self.ingested_id()
        return {"doc_id": doc_id(self.source, id_kind(self.source_id), sid, self.text),
                "source": self.source, "source_id": sid, "day": self.day,
                "file": self.file, "line": self.line}


@dataclass(slots=True)
class Broken:
    """A record that ingestion must quarantine: raw bytes (JSONL) or a row dict (Parquet)."""

    source: str
    day: str
    error_kind: str
    payload: bytes | dict
    field: str | None = None
    file: str | None = None
    line: int | None = None

    def ref(self) -> dict[str, Any]:
        return {"source": self.source, "day": self.day, "file": self.file, "line": self.line,
                "error_kind": self.error_kind, "field": self.field}


@dataclass
class Corpus:
    seed: int
    days: list[str]
    scale: int  # planted items per kind and day
    docs: dict[tuple[str, str], list[Doc]]
    truth: dict[str, list] = field(default_factory=dict)
    broken: list[Broken] = field(default_factory=list)
    truncated: list[tuple[str, str, list[Doc]]] = field(default_factory=list)  # (source, day, docs) to cut
    _counters: dict[tuple[str, str], int] = field(default_factory=dict)

    def rng(self, *names: object) -> FastRandom:
        return derive(self.seed, "plant", *names)

    def prose(self, *names: object) -> Prose:
        return Prose(self.rng("prose", *names))

    def record(self, key: str, entry: dict) -> None:
        self.truth.setdefault(key, []).append(entry)

    def pick(self, rng: FastRandom, source: str, day: str, kinds: Iterable[str] = ("prose",),
             where: Callable[[Doc], bool] | None = None) -> Doc | None:
        """An unused document of one of `kinds`, now marked used; None when there is none left."""
        kinds, docs = set(kinds), self.docs.get((source, day), [])

        def fits(d: Doc) -> bool:
            return not d.used and d.kind in kinds and (where is None or where(d))

        # random probes first: a full scan per pick would make planting quadratic in the corpus size
        probes = [docs[i % len(docs)] for i in rng.ints(64)] if docs else []
        doc = next((d for d in probes if fits(d)), None) or next((d for d in docs if fits(d)), None)
        if doc is not None:
            doc.used = True
        return doc

    def new_doc(self, source: str, day: str, text: str, kind: str, **kwargs: Any) -> Doc:
        """A new document with the next id of (source, day); not yet in the corpus (see `add`)."""
        ids = ID_FORMATS[source]
        n = self._counters.get((source, day), 0) + 1
        self._counters[(source, day)] = n
        return Doc(source, day, ids(day, n), text, kind, used=True, **kwargs)

    def add(self, rng: FastRandom, doc: Doc) -> Doc:
        """Insert `doc` at a random position of its (source, day)."""
        docs = self.docs.setdefault((doc.source, doc.day), [])
        docs.insert(rng.randint(0, len(docs)), doc)
        return doc

    def copy_of(self, doc: Doc, source: str, day: str, text: str | None = None) -> Doc:
        url = None if doc.url is None else doc.url + "?ref=mirror"
        return self.new_doc(source, day, doc.text if text is None else text, doc.kind, url=url, meta=doc.meta)


def _compact(day: str) -> str:
    return day.replace("-", "")


# Source ids: strings for most sources, integers for math (ingestion turns them into strings), none for
# crawl (its records carry no id, so ingestion falls back to `<file>:<line>`).
ID_FORMATS: dict[str, Callable[[str, int], Any]] = {
    "web": lambda day, n: f"web-{_compact(day)}-{n:06d}",
    "code": lambda day, n: f"code-{_compact(day)}-{n:06d}",
    "math": lambda day, n: int(_compact(day)) * 1_000_000 + n,
    "dialog": lambda day, n: f"conv-{_compact(day)}-{n:06d}",
    "crawl": lambda day, n: None,
    "exercises": lambda day, n: f"ex-{_compact(day)}-{n:06d}",
}
