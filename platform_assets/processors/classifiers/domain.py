"""Domain of a document: web prose, code, math, dialog or other, with a confidence; the language of code.

The label and its probability come from the clean stage's detector (`processors/domain.py`): one detector,
so the filter chain a crawled document got, this label and the difficulty features that run on math and
code rows all agree.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from platform_assets.processors.classifiers.base import Between, Classifier, Example
from platform_assets.processors.classifiers.code_language import detect_languages
from platform_assets.processors.classifiers.registry import register
from platform_assets.processors.domain import DOMAINS, domain_probabilities
from platform_assets.processors.features import TextBatch


@register("domain_v1")
class DomainV1(Classifier):
    """Label in prose|code|math|dialog|other, its probability, and the programming language of code."""

    outputs = {"label": pa.string(), "score": pa.float32(), "code_language": pa.string()}
    examples = [
        Example(
            "The committee met on Tuesday to review the budget, and it agreed that the new library "
            "should open in the spring. Most of the members were in favour of the plan.",
            {"label": "prose", "score": Between(0.8, 1.0), "code_language": None},
        ),
        Example(
            "def area(r):\n    return 3.14159 * r ** 2\n\nclass Circle:\n    def __init__(self, r):\n"
            "        self.r = r\n",
            {"label": "code", "code_language": "python"},
        ),
        Example(
            '#include <stdio.h>\nint main(void) {\n    printf("hi\\n");\n    return 0;\n}\n',
            {"label": "code", "code_language": "c"},
        ),
        Example(
            "Solve for x: $2x + 3 = 11$. Subtracting 3 gives $2x = 8$, so $x = \\frac{8}{2} = 4$.",
            {"label": "math", "code_language": None},
        ),
        Example(
            "User: Can you recommend a book about bees?\nAssistant: Try The Hive by Bee Wilson.\n"
            "User: Thanks, is it long?\nAssistant: About 300 pages.",
            {"label": "dialog"},
        ),
        Example("12.99 | 14.50 | 3 | SKU-11\n8.00 | 9.10 | 7 | SKU-12", {"label": "other"}),
        Example("", {"label": "other", "code_language": None}),
    ]

    def classify(self, batch: pa.RecordBatch) -> dict[str, list | np.ndarray]:
        texts = pc.fill_null(batch.column("text"), "")
        probs = domain_probabilities(
            TextBatch(texts), batch.column("url") if "url" in batch.schema.names else None
        )
        best = probs.argmax(axis=1)
        labels = [DOMAINS[b] for b in best]
        is_code = best == DOMAINS.index("code")
        langs: list[str | None] = [None] * len(labels)
        if is_code.any():
            idx = np.flatnonzero(is_code)
            for i, lang in zip(idx, detect_languages(texts.take(pa.array(idx))), strict=True):
                langs[i] = lang
        return {
            "label": labels,
            "score": probs[np.arange(len(best)), best].astype(np.float32),
            "code_language": langs,
        }
