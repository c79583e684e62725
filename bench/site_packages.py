"""Real text no one here wrote: the source files and documentation inside the installed packages.

Benchmarks and slow tests read it at run time from the virtual environment's site-packages; nothing of it
is copied into the repository. Files are picked in a stable order (sorted paths, then every k-th), so a
figure is reproducible on the same environment.
"""

from __future__ import annotations

import sysconfig
from collections.abc import Iterator
from pathlib import Path

CODE_SUFFIXES = {
    ".py": "python",
    ".js": "javascript",
    ".mjs": "javascript",
    ".java": "java",
    ".go": "go",
    ".c": "c",
    ".h": "c",
    ".rs": "rust",
}
PROSE_SUFFIXES = {".md", ".rst", ".txt"}


def root() -> Path:
    """The site-packages folder of the running interpreter."""
    return Path(sysconfig.get_paths()["purelib"])


def code_files(limit: int | None = None, min_chars: int = 200, max_chars: int = 200_000) -> list[Path]:
    """Source files (by suffix), minified bundles and vendored build output left out."""
    paths = [p for p in _files() if p.suffix in CODE_SUFFIXES and ".min." not in p.name]
    paths = [p for p in paths if "/build/" not in str(p) and "/static/" not in str(p)]
    return _sample(_sized(paths, min_chars, max_chars), limit)


def prose_files(limit: int | None = None, min_chars: int = 200, max_chars: int = 200_000) -> list[Path]:
    """README/Markdown/reStructuredText/plain-text pages and the METADATA long descriptions of wheels."""
    paths = [p for p in _files() if p.name == "METADATA" or p.suffix in PROSE_SUFFIXES and _prose_name(p)]
    return _sample(_sized(paths, min_chars, max_chars), limit)


def read(path: Path) -> str | None:
    """The file as UTF-8 text, or None when it is not."""
    try:
        return path.read_text("utf-8")
    except (UnicodeDecodeError, OSError):
        return None


def texts(paths: list[Path]) -> Iterator[tuple[Path, str]]:
    """(path, text) for each readable path."""
    for path in paths:
        text = read(path)
        if text is not None:
            yield path, text


def _prose_name(path: Path) -> bool:
    """Not a licence, a requirements list, a build script (CMakeLists.txt), source kept as text
    (`x.py.txt`) or a wheel's machine-written .txt (entry points, top level)."""
    lowered = str(path).lower()
    inner = Path(path.stem).suffix
    return not (
        path.name == "CMakeLists.txt"
        or inner in CODE_SUFFIXES
        or "license" in lowered
        or "licence" in lowered
        or "requirements" in path.name.lower()
        or path.parent.name.endswith(".dist-info")
    )


def _files() -> list[Path]:
    return sorted(p for p in root().rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def _sized(paths: list[Path], min_chars: int, max_chars: int) -> list[Path]:
    return [p for p in paths if min_chars <= p.stat().st_size <= max_chars]


def _sample(paths: list[Path], limit: int | None) -> list[Path]:
    if limit is None or len(paths) <= limit:
        return paths
    step = len(paths) / limit
    return [paths[int(i * step)] for i in range(limit)]
