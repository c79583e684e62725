"""The demo sources: domain, file format, share of each day's documents, record field names, content.

They match dbt_like_sql/sources.yaml: `dialog` uses non-default field names mapped there, `crawl` has no
entry at all (default shape, no domain: it mixes prose pages and source files).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from platform_assets.cli.demo_data import code
from platform_assets.cli.demo_data.dialogs import dialog
from platform_assets.cli.demo_data.exercises import exercise
from platform_assets.cli.demo_data.math_problems import math_problem
from platform_assets.cli.demo_data.prose import Prose
from platform_assets.cli.demo_data.rng import FastRandom

Content = tuple[str, str, str | None, dict | None]  # text, kind, url, meta
DEFAULT_FIELDS = {"id": "id", "text": "text", "url": "url", "meta": "meta"}


@dataclass(frozen=True)
class DemoSource:
    name: str
    domain: str | None
    suffix: str  # .jsonl, .jsonl.gz, .jsonl.zst or .parquet
    share: float  # of --docs-per-day
    make: Callable[[FastRandom, Prose], Content]
    fields: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_FIELDS))


def _slug(text: str) -> str:
    return "-".join(text.lower().split()[:6]).strip(",.?")


def _web(rng: FastRandom, prose: Prose) -> Content:
    topic = prose.topic()
    text = prose.article(topic)
    host = rng.choice(("dailyjournal", "homeandgarden", "citynotes", "learnhub", "weekendreader"))
    return text, "prose", f"https://www.{host}.example.com/{topic}/{_slug(text)}", {"topic": topic}


def _code_file(rng: FastRandom, prose: Prose) -> Content:
    python = rng.random() < 0.6
    text = code.python_module(rng) if python else code.js_module(rng)
    repo = f"{rng.choice(code.NOUNS)}-{rng.choice(code.NOUNS)}"
    path = f"src/{rng.choice(code.NOUNS)}.{'py' if python else 'js'}"
    license_ = rng.choice(("mit", "apache-2.0"))
    meta = {"language": "python" if python else "javascript", "path": path, "license": license_}
    return text, "code", f"https://git.example.com/{repo}/blob/main/{path}", meta


def _math(rng: FastRandom, prose: Prose) -> Content:
    text, meta = math_problem(rng)
    return text, "math", None, meta


def _dialog(rng: FastRandom, prose: Prose) -> Content:
    text, meta = dialog(rng, prose)
    return text, "dialog", None, meta


def _exercise(rng: FastRandom, prose: Prose) -> Content:
    text, meta = exercise(rng)
    return text, "code", None, {"language": "python", **meta}


def _crawl(rng: FastRandom, prose: Prose) -> Content:
    text, kind, url, meta = _web(rng, prose) if rng.random() < 0.65 else _code_file(rng, prose)
    return text, kind, url.replace("example.com", "example.org"), {"http_status": 200, **(meta or {})}


SOURCES: tuple[DemoSource, ...] = (
    DemoSource("web", "prose", ".jsonl.gz", 0.40, _web),
    DemoSource("code", "code", ".parquet", 0.20, _code_file),
    DemoSource("math", "math", ".jsonl.zst", 0.12, _math),
    DemoSource("dialog", "dialog", ".jsonl", 0.13, _dialog,
               {"id": "conversation_id", "text": "transcript", "url": "source_url", "meta": "attributes"}),
    DemoSource("crawl", None, ".jsonl", 0.15, _crawl),
    DemoSource("exercises", "code", ".jsonl", 0.05, _exercise),
)
BY_NAME = {s.name: s for s in SOURCES}
