"""Word and sentence splitting against datatrove 0.10.1 (spaCy's blank English tokenizer) on real text.

    .venv/bin/python -m bench splitting [--quick]       (needs the `bench` extra: datatrove, spacy)

Corpus: documentation no one here wrote, read from the installed packages' site-packages: the README,
Markdown, reStructuredText, plain-text and METADATA pages that read as prose (mostly letters and spaces,
50 words or more), plus the docstrings of sampled Python modules, one document per module. Every text is
normalized as the clean stage does before its filters run. datatrove runs here only (never in the product).

Per peer filter (Gopher quality, Gopher repetition, C4 as FineWeb runs it, FineWeb quality), both sides
judge the same documents and their keep/drop decisions are compared (target: 99.5% each). Behind them,
the splitting itself: documents whose word lists equal datatrove's `split_into_words`, and lines whose
sentence counts equal C4's `split_into_sentences`. Writes `$MASLOW_HOME/bench/splitting.json` with a
sample of the disagreements (document, both reasons, the first words that differ).
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import warnings
from collections import Counter

import numpy as np
import pyarrow as pa
import regex

from bench import site_packages
from bench.clean_throughput import PEER_FILTERS
from bench.common import data_dir, print_table, write_result
from platform_assets.processors import registry
from platform_assets.processors.features import TextBatch
from platform_assets.processors.normalize import normalize_texts
from platform_assets.processors.splitting import sentence_counts

TARGET = 0.995
_PROSE_CHARS = regex.compile(r"[\p{L}\s]")
_WORD = regex.compile(r"\b\p{L}{2,}\b")


def corpus(files: int | None, modules: int) -> list[tuple[str, str]]:
    """(name, normalized text): prose-like documentation pages, then one docstring page per module.

    Cached in the bench data folder per size and site-packages (walking it and parsing modules is slow)."""
    key = hashlib.sha256(f"{files}|{modules}|{site_packages.root()}|v1".encode()).hexdigest()[:12]
    cached = data_dir("splitting") / f"corpus-{key}.json"
    if cached.exists():
        return [tuple(d) for d in json.loads(cached.read_text())]
    docs = _read_corpus(files, modules)
    cached.write_text(json.dumps(docs))
    return docs


def _read_corpus(files: int | None, modules: int) -> list[tuple[str, str]]:
    docs = [(_name(p), t) for p, t in site_packages.texts(site_packages.prose_files()) if _prose_like(t)][
        :files
    ]
    for path, source in site_packages.texts(_python_files(modules)):
        text = _docstrings(source)
        if len(text) >= 300 and _prose_like(text):
            docs.append((_name(path) + "#docstrings", text))
    texts = normalize_texts(pa.array([t for _, t in docs], pa.large_string())).to_pylist()
    return [(name, text) for (name, _), text in zip(docs, texts, strict=True) if text]


def _name(path) -> str:
    return str(path.relative_to(site_packages.root()))


def _prose_like(text: str) -> bool:
    return len(_PROSE_CHARS.findall(text)) >= 0.8 * len(text) and len(_WORD.findall(text)) >= 50


def _python_files(limit: int) -> list:
    paths = [p for p in site_packages.code_files() if p.suffix == ".py" and "/tests/" not in str(p)]
    return paths[:: max(1, len(paths) // limit)][:limit]


def _docstrings(source: str) -> str:
    """The module's, its classes' and its functions' docstrings, in order, one paragraph each."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return ""
    kinds = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    found = [ast.get_docstring(node) for node in ast.walk(tree) if isinstance(node, kinds)]
    return "\n\n".join(d for d in found if d)


# --- comparison ----------------------------------------------------------------------------------------


def filter_agreement(names: list[str], texts: list[str]) -> list[dict]:
    """Per peer filter: documents on which both keep or both drop, the causes and a sample of the rest."""
    from datatrove.data import Document
    from datatrove.pipeline import filters

    batch = TextBatch(pa.array(texts, pa.large_string()))
    out = []
    for ours_name, (cls, kwargs) in PEER_FILTERS.items():
        ours = registry.build(ours_name, kwargs).judge(batch).reasons
        peer = getattr(filters, cls)(**kwargs)
        theirs = [_reason(peer.filter(Document(text=t, id=str(i)))) for i, t in enumerate(texts)]
        wrong = [i for i, (a, b) in enumerate(zip(ours, theirs, strict=True)) if (a is None) != (b is None)]
        causes = Counter(f"ours={ours[i] or 'keep'} / datatrove={theirs[i] or 'keep'}" for i in wrong)
        out.append(
            {
                "filter": ours_name,
                "docs": len(texts),
                "agree": len(texts) - len(wrong),
                "agreement": round(1 - len(wrong) / max(len(texts), 1), 4),
                "dropped_ours": sum(r is not None for r in ours),
                "dropped_datatrove": sum(r is not None for r in theirs),
                "causes": dict(causes.most_common()),
                "sample": [
                    {"doc": names[i], "ours": ours[i], "datatrove": theirs[i], "words": _word_diff(texts[i])}
                    for i in wrong[:10]
                ],
            }
        )
    return out


def _reason(result) -> str | None:
    return None if result is True else (result[1] if isinstance(result, tuple) else "dropped")


def word_agreement(texts: list[str]) -> dict:
    """Documents whose word lists equal datatrove's, and the most frequent first differences."""
    from datatrove.utils.text import split_into_words

    ours = TextBatch(pa.array(texts, pa.large_string())).words.lists.to_pylist()
    diffs = Counter()
    for mine, text in zip(ours, texts, strict=True):
        diff = _first_diff(mine, split_into_words(text))
        if diff:
            diffs[diff] += 1
    return {
        "docs": len(texts),
        "identical": len(texts) - sum(diffs.values()),
        "share": round(1 - sum(diffs.values()) / max(len(texts), 1), 4),
        "first_differences": [f"{n} x {d}" for d, n in diffs.most_common(25)],
    }


def sentence_agreement(texts: list[str]) -> dict:
    """Non-blank lines whose sentence count equals datatrove's (C4 counts sentences line by line)."""
    from datatrove.utils.text import split_into_sentences

    lines = [s for t in texts for line in t.split("\n") if (s := line.strip())]
    ours = sentence_counts(pa.array(lines, pa.large_string()))
    theirs = np.array([len(split_into_sentences(line)) for line in lines])
    wrong = np.flatnonzero(ours != theirs)
    return {
        "lines": len(lines),
        "identical": len(lines) - len(wrong),
        "share": round(1 - len(wrong) / max(len(lines), 1), 4),
        "sample": [f"ours {ours[i]}, datatrove {theirs[i]}: {lines[i][:160]}" for i in wrong[:15]],
    }


def _word_diff(text: str) -> str:
    from datatrove.utils.text import split_into_words

    return _first_diff(TextBatch.from_texts([text]).words.lists[0].as_py(), split_into_words(text)) or ""


def _first_diff(ours: list[str], theirs: list[str]) -> str | None:
    """The first differing stretch of two token lists, as 'ours [...] / datatrove [...]'."""
    pairs = enumerate(zip(ours, theirs, strict=False))
    at = next((i for i, (a, b) in pairs if a != b), min(len(ours), len(theirs)))
    if at == len(ours) == len(theirs):
        return None
    return f"ours {ours[at : at + 4]} / datatrove {theirs[at : at + 4]}"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench splitting", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 pages and 150 modules")
    args = parser.parse_args(argv)
    docs = corpus(100, 150) if args.quick else corpus(None, 2500)
    names, texts = [n for n, _ in docs], [t for _, t in docs]
    agree = filter_agreement(names, texts)
    words, sentences = word_agreement(texts), sentence_agreement(texts)
    print_table(
        ["filter", "docs", "agree", "agreement %", "dropped ours", "dropped datatrove"],
        [
            [
                a["filter"],
                a["docs"],
                a["agree"],
                100 * a["agreement"],
                a["dropped_ours"],
                a["dropped_datatrove"],
            ]
            for a in agree
        ],
        f"keep/drop agreement with datatrove 0.10.1 on {len(texts)} real documents (target {TARGET:.1%})",
    )
    for a in agree:
        for s in a["sample"]:
            print(f"  {a['filter']}: {s['doc']}: ours={s['ours']} datatrove={s['datatrove']} {s['words']}")
    print(f"\nword lists identical: {words['identical']} of {words['docs']} documents")
    print(f"sentence counts identical: {sentences['identical']} of {sentences['lines']} lines")
    for line in words["first_differences"][:10] + sentences["sample"][:5]:
        print(f"  {line}")
    write_result(
        "splitting",
        {"documents": len(texts), "target": TARGET, "filters": agree, "words": words, "sentences": sentences},
    )
    return 0 if all(a["agreement"] >= TARGET for a in agree) else 1


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
