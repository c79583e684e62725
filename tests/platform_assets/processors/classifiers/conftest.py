"""A quality model trained once per session on the shipped reference set vs synthetic web prose."""

from __future__ import annotations

import pytest

from platform_assets import settings
from platform_assets.processors.classifiers import synthetic_web
from platform_assets.processors.classifiers.quality_training import load_config, load_reference, train_quality


@pytest.fixture(scope="session")
def quality_config():
    return load_config(settings.SPEC_DIR / "quality" / "quality_v1.yaml")


@pytest.fixture(scope="session")
def negatives() -> list[str]:
    docs = synthetic_web.documents(700, seed=7, mean_chars=550)
    return [
        t for t, d in zip(docs["text"].to_pylist(), docs["domain"].to_pylist(), strict=True) if d == "prose"
    ]


@pytest.fixture(scope="session")
def quality_model(quality_config, negatives):
    positives = load_reference(quality_config, settings.SPEC_DIR / "quality")
    return train_quality(positives, negatives, quality_config)
