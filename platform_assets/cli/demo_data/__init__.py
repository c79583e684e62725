"""Deterministic demo landing data with a ground-truth file of everything planted in it.

`generate(landing, days, seed)` writes `<landing>/<source>/<YYYY-MM-DD>/part-NNNNN.<fmt>` for the sources
in sources.py (one day per partition, the last `days` days up to `end_date`, default yesterday) and the
truth file `<landing>/_truth/<seed>.json` (`truth_path`). Ingestion skips `_`-prefixed folders.

Documents are made per (source, day) from seeded streams, then the planters (planters.PLANTERS, the
extension point) add or edit documents and record them; the writer assigns files and lines. Same seed and
arguments give byte-identical files.

Truth file keys: seed, days, docs_per_day, sources, jaccard_definition, expected (per day: raw_records,
quarantined by error_kind, lines_written = raw_records + quarantined, records_lost_in_truncation), files,
and one list per planter: non_english, low_quality, code_junk, pii, pii_decoys, exact_duplicates,
near_duplicates, broken_records, truncated_files; and `media` (media_writer.py): per media source, every
planted file by doc_id with its kind (original, near_duplicate with `of` and `transform`, exact_duplicate,
broken with `error_kind`, filtered with `reason`, pii). A document is named by its raw_documents identity:
{doc_id, source, source_id, day, file, line}.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

import orjson

from platform_assets.cli.demo_data.corpus import Broken, Corpus, Doc
from platform_assets.cli.demo_data.planters import PLANTERS, Planter
from platform_assets.cli.demo_data.prose import Prose, sentence_bank
from platform_assets.cli.demo_data.rng import derive
from platform_assets.cli.demo_data.similarity import JACCARD_DEFINITION
from platform_assets.cli.demo_data.sources import SOURCES

DEFAULT_DOCS_PER_DAY = 400
__all__ = ["DEFAULT_DOCS_PER_DAY", "PLANTERS", "generate", "load_truth", "truth_path"]


def truth_path(landing: Path, seed: int) -> Path:
    return Path(landing) / "_truth" / f"{seed}.json"


def load_truth(landing: Path, seed: int) -> dict:
    return orjson.loads(truth_path(landing, seed).read_bytes())


def day_range(days: int, end_date: date | None = None) -> list[str]:
    """The `days` days ending at `end_date` (default: yesterday, the last complete day), oldest first."""
    end = end_date or date.today() - timedelta(days=1)
    return [(end - timedelta(days=n)).isoformat() for n in reversed(range(days))]


def build_corpus(days: list[str], seed: int, docs_per_day: int) -> Corpus:
    corpus = Corpus(seed, days, max(1, docs_per_day // DEFAULT_DOCS_PER_DAY), {})
    bank = sentence_bank(seed)
    for day in days:
        for spec in SOURCES:
            rng = derive(seed, spec.name, day)
            prose = Prose(rng, bank)
            docs = corpus.docs[(spec.name, day)] = []
            for _ in range(max(1, round(docs_per_day * spec.share))):
                text, kind, url, meta = spec.make(rng, prose)
                doc = corpus.new_doc(spec.name, day, text, kind, url=url, meta=meta)
                doc.used = False
                docs.append(doc)
    return corpus


def generate(landing: Path, days: int, seed: int, docs_per_day: int = DEFAULT_DOCS_PER_DAY,
             end_date: date | None = None, planters: Sequence[Planter] = PLANTERS) -> Path:
    """Write the demo landing folder and its truth file; returns the truth file's path."""
    from platform_assets.cli.demo_data.media_writer import write_media
    from platform_assets.cli.demo_data.writer import write_corpus

    landing = Path(landing)
    corpus = build_corpus(day_range(days, end_date), seed, docs_per_day)
    for planter in planters:
        planter(corpus)
    expected, files = write_corpus(corpus, landing)
    media = write_media(landing, corpus.days, seed)
    truth = {
        "seed": seed, "days": corpus.days, "docs_per_day": docs_per_day,
        "sources": {s.name: {"domain": s.domain, "format": s.suffix.lstrip("."), "fields": s.fields}
                    for s in SOURCES},
        "jaccard_definition": JACCARD_DEFINITION, "expected": expected, "files": files, **corpus.truth,
        "media": media,
    }
    path = truth_path(landing, seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    options = orjson.OPT_INDENT_2 | orjson.OPT_PASSTHROUGH_DATACLASS  # Doc and Broken go through _ref
    path.write_bytes(orjson.dumps(truth, default=_ref, option=options))
    return path


def _ref(obj: object) -> dict:
    if isinstance(obj, Doc | Broken):
        return obj.ref()
    raise TypeError(f"cannot write {type(obj).__name__} to the truth file")
