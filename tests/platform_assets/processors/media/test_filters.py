"""Every registered media filter's own examples, and media.yaml validation naming the key."""

import pytest

from platform_assets import settings
from platform_assets.processors.media import registry
from platform_assets.processors.media.config import MEDIA_FILE, MediaConfigError, load_media_config
from platform_assets.processors.media.filters.base import example_rows


@pytest.mark.parametrize("name", registry.names())
def test_examples_give_their_reason_codes(name):
    f = registry.build(name)
    assert f.examples and None in [e for _, e in f.examples]
    assert list(f.judge(example_rows(f.examples)).reasons) == [e for _, e in f.examples]


def test_the_shipped_config_builds_both_chains():
    config = load_media_config(settings.spec_dir() / MEDIA_FILE)
    assert [f.name for f in config.chain("image")][0] == "image_size_v1"
    assert "audio_duration_v1" in [f.name for f in config.chain("audio")]


def test_bad_config_names_file_and_key(tmp_path):
    path = tmp_path / "media.yaml"
    path.write_text("filters:\n  image_size_v1: {min_side: -1}\n")
    with pytest.raises(MediaConfigError, match=r"media.yaml:2: filters.image_size_v1.min_side"):
        load_media_config(path)
    path.write_text("chains:\n  image: [nope_v1]\n")
    with pytest.raises(MediaConfigError, match=r"media.yaml:2: chains.image\[0\]: unknown media filter"):
        load_media_config(path)
