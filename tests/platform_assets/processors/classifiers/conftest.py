"""A quality model trained once per session on the shipped reference set vs demo-like web text."""

from __future__ import annotations

import pytest

from platform_assets import settings
from platform_assets.cli.demo_data.lowquality import DEFECTS
from platform_assets.cli.demo_data.prose import Prose, sentence_bank
from platform_assets.cli.demo_data.rng import derive
from platform_assets.processors.classifiers.quality_training import load_config, load_reference, train_quality


def demo_web_texts(seed: int, articles: int, low_quality: int) -> list[str]:
    """What a random sample of the demo's clean web text holds: articles and some low-quality pages."""
    rng = derive(seed, "quality-negatives")
    prose = Prose(rng, sentence_bank(seed))
    makes = [make for make, _ in DEFECTS.values()]
    return [prose.article() for _ in range(articles)] + [
        makes[i % len(makes)](rng, prose) for i in range(low_quality)
    ]


@pytest.fixture(scope="session")
def quality_config():
    return load_config(settings.SPEC_DIR / "quality" / "quality_v1.yaml")


@pytest.fixture(scope="session")
def negatives() -> list[str]:
    return demo_web_texts(seed=7, articles=360, low_quality=40)


@pytest.fixture(scope="session")
def quality_model(quality_config, negatives):
    positives = load_reference(quality_config, settings.SPEC_DIR / "quality")
    return train_quality(positives, negatives, quality_config)
