"""The domain detector on real files: source files must reach the code chain, prose pages must not.

Real third-party files of the installed packages (`bench/site_packages.py`), each landed as a crawled
document whose source names no domain: text only, and again with its file path as `url`. Reports the share
of source files labelled code per language (by suffix) and the share of prose pages (README/Markdown/
reStructuredText/METADATA) labelled code. Targets: >= 98% and <= 2%. Writes
`$MASLOW_HOME/bench/domain_detection.json`.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter, defaultdict

import pyarrow as pa

from bench import site_packages
from bench.common import print_table, write_result
from platform_assets.processors.domain import detect_domains
from platform_assets.processors.features import TextBatch


def labels(texts: list[str], urls: list[str] | None, batch_rows: int = 256) -> list[str]:
    """The detector's label per text, in batches as the clean stage runs it."""
    out: list[str] = []
    for start in range(0, len(texts), batch_rows):
        chunk = TextBatch.from_texts(texts[start : start + batch_rows])
        locators = pa.array(urls[start : start + batch_rows]) if urls else None
        out += list(detect_domains(chunk, locators))
    return out


def figures(code_limit: int | None = None) -> dict:
    """Per-language code shares, the prose-called-code share, their misses, and the seconds each took."""
    code = list(site_packages.texts(site_packages.code_files(code_limit)))
    prose = list(site_packages.texts(site_packages.prose_files()))
    result: dict = {"code_files": len(code), "prose_pages": len(prose)}
    for mode in ("text_only", "with_path"):
        start = time.perf_counter()
        urls = [f"file://{p}" for p, _ in code] if mode == "with_path" else None
        got = labels([t for _, t in code], urls)
        per: dict[str, Counter] = defaultdict(Counter)
        for (path, _), label in zip(code, got, strict=True):
            per[site_packages.CODE_SUFFIXES[path.suffix]][label == "code"] += 1
        prose_urls = [f"file://{p}" for p, _ in prose] if mode == "with_path" else None
        prose_got = labels([t for _, t in prose], prose_urls)
        result[mode] = {
            "code_share": round(sum(c[True] for c in per.values()) / max(len(code), 1), 4),
            "code_share_per_language": {k: round(c[True] / c.total(), 4) for k, c in sorted(per.items())},
            "prose_called_code": round(prose_got.count("code") / max(len(prose), 1), 4),
            "code_missed": _names(code, got, lambda g: g != "code"),
            "prose_as_code": _names(prose, prose_got, lambda g: g == "code"),
            "seconds": round(time.perf_counter() - start, 1),
        }
    return result


def _names(files: list, got: list[str], pick) -> list[str]:
    return [str(p.relative_to(site_packages.root())) for (p, _), g in zip(files, got, strict=True) if pick(g)]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench domain_detection")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--code-files", type=int, default=None, help="sample this many source files")
    args = parser.parse_args(argv)
    result = figures(500 if args.quick else args.code_files)
    rows = [
        (mode, f"{r['code_share']:.2%}", f"{r['prose_called_code']:.2%}", r["seconds"])
        for mode in ("text_only", "with_path")
        for r in [result[mode]]
    ]
    title = f"{result['code_files']} source files, {result['prose_pages']} prose pages"
    print_table(["landed as", "code -> code", "prose -> code", "seconds"], rows, title=title)
    print("per language (text only):", result["text_only"]["code_share_per_language"])
    write_result("domain_detection", result)
    text_only = result["text_only"]
    return 0 if text_only["code_share"] >= 0.98 and text_only["prose_called_code"] <= 0.02 else 1
