"""Text quality: the probability that a document reads like the high-quality reference set.

Scores with the `quality_model` artifact (hashed word n-grams + logistic regression, `ngram_model.py`),
DCLM / GPT-3 style. Thresholds are applied downstream (the artifact records its keep threshold). The score
carries the class prior of training (a few reference texts against many clean documents), so 0.5 is not a
decision point; the examples' ranges are set for the test model (tests/.../classifiers/conftest.py).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from platform_assets.processors.classifiers.base import Between, Classifier, Example
from platform_assets.processors.classifiers.ngram_model import NgramModel
from platform_assets.processors.classifiers.registry import register


@register("quality_v1")
class QualityV1(Classifier):
    """P(high quality) in [0, 1]; null for null text."""

    needs = ("model",)
    model: NgramModel
    outputs = {"score": pa.float32()}
    examples = [
        Example(
            "Tides are caused mainly by the Moon's gravity, which pulls slightly harder on the side of the "
            "Earth that faces it than on the far side. The oceans respond by bulging toward and away from "
            "the Moon, and as the Earth turns, a coastline passes through both bulges roughly twice a day.",
            {"score": Between(0.3, 1.0)},
        ),
        Example(
            "CLICK HERE best cheap deals!!! buy now free shipping | login | cart (0) | sale sale sale "
            "best price guaranteed click here to subscribe",
            {"score": Between(0.0, 0.3)},
        ),
    ]

    def classify(self, batch: pa.RecordBatch) -> dict[str, np.ndarray | pa.Array]:
        texts = batch.column("text")
        probs = self.model.predict_proba(pc.fill_null(texts, "")).astype(np.float32)
        return {"score": pa.array(probs, mask=~texts.is_valid().to_numpy(zero_copy_only=False))}
