"""The Label Studio launcher's token: from the environment, else the one its data dir was started with."""

from __future__ import annotations

import pytest

from platform_assets.cli import label_studio_server as server


def test_token_is_remembered_per_data_dir(tmp_path, monkeypatch):
    monkeypatch.delenv("MASLOW_LABEL_STUDIO_TOKEN", raising=False)
    first = server._token(tmp_path / "ls")
    assert len(first) == 40 and server._token(tmp_path / "ls") == first
    assert oct((tmp_path / "ls" / "maslow-token").stat().st_mode)[-3:] == "600"
    monkeypatch.setenv("MASLOW_LABEL_STUDIO_TOKEN", "f" * 40)
    with pytest.raises(SystemExit, match="started with another token"):
        server._token(tmp_path / "ls")
    assert server._token(tmp_path / "other") == "f" * 40


def test_start_refuses_a_token_label_studio_would_not_apply(tmp_path):
    with pytest.raises(ValueError, match="40 characters"):
        server.start(tmp_path, 1, "short", "pw")
