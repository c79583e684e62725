"""Which programming language a piece of code is in, from counts of each language's telltale syntax.

Counting runs as RE2 regexes over the whole Arrow array (`pyarrow.compute.count_substring_regex`), so it
costs one C++ pass per language, not a Python loop per document.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# Each language's most specific syntax; shared syntax (braces, `;`) carries no vote.
SIGNATURES: dict[str, str] = {
    "python": r"(?m)^[ \t]*(?:(?:async )?def \w+\(|class \w+[(:]|from [\w.]+ import |import \w+$|elif |"
    r"except\b|if __name__|(?:if|for|while|with|try|else|finally)\b[^\n;{]*:[ \t]*$)|\bself\.|\bNone\b|"
    r"\bTrue\b|\bFalse\b|\"\"\"",
    "javascript": r"\bfunction\*?(?: \w+)? ?\(|\bconst \w+ =|\blet \w+ =|\bvar \w+ =|\) =>|console\.log|"
    r"\brequire\(|\bexport (?:default|const|function)|===|!==",
    "java": r"\b(?:public|private|protected) (?:static )?(?:final )?[\w<>\[\]]+ \w+\(|System\.out\.|"
    r"\bimport java\.|@Override|\bString\[\]|\b(?:Runnable|Integer|ArrayList|HashMap) \w|"
    r"\bimplements \w+",
    "go": r"(?m)^[ \t]*(?:package \w+|func |import \()|:=|\bfmt\.|\bchan\b|\bgo func\b",
    "rust": r"\bfn \w+|\blet mut\b|\bimpl\b|\bpub fn\b|\buse std::|\bmatch \w+ \{|println!|\bVec<|&mut\b",
    "c": r"#include\s*<\w+\.h>|(?m:^#[ \t]*(?:define|ifndef|ifdef|endif|pragma)\b)|\bprintf\(|\bmalloc\(|"
    r"\bfree\(|\bsizeof\(|\bNULL\b",
    "cpp": r"#include\s*<\w+>|\bstd::|\bcout\b|\btemplate\s*<|\bnamespace\b|\bnullptr\b|\bvirtual\b",
}
LANGUAGES = tuple(SIGNATURES)


def signature_counts(texts: pa.Array) -> np.ndarray:
    """(rows, languages) matrix of signature hits."""
    cols = [
        pc.count_substring_regex(texts, pattern).to_numpy(zero_copy_only=False)
        for pattern in SIGNATURES.values()
    ]
    return np.nan_to_num(np.stack(cols, axis=1).astype(np.float64)) if cols else np.zeros((len(texts), 0))


def detect_languages(texts: pa.Array) -> list[str | None]:
    """The language with the most signature hits per row; None when no language has any."""
    counts = signature_counts(texts)
    best = counts.argmax(axis=1)
    return [LANGUAGES[b] if counts[i, b] > 0 else None for i, b in enumerate(best)]
