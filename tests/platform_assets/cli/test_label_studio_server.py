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


def test_a_password_starting_with_a_dash_reaches_the_server(tmp_path, monkeypatch):
    # Label Studio parses its command line with argparse, which reads a separate "-..." value as an option
    # (token_urlsafe starts with "-" one time in 64: the server then exited with code 2).
    import argparse
    import subprocess

    seen = {}
    monkeypatch.setattr(server, "executable", lambda: tmp_path / "label-studio")
    monkeypatch.setattr(subprocess, "Popen", lambda command, **kw: seen.setdefault("command", command))
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "label_studio.sqlite3").touch()  # an existing data dir: no template is built
    server.start(tmp_path / "data", 8080, "a" * 40, "-starts-with-a-dash")
    parser = argparse.ArgumentParser()
    for option in ("--username", "--password", "--user-token"):
        parser.add_argument(option)
    args, _ = parser.parse_known_args(seen["command"][2:])
    assert args.password == "-starts-with-a-dash" and args.user_token == "a" * 40
    with pytest.raises(SystemExit):  # what the old command line, value apart, did
        parser.parse_known_args(["--password", "-starts-with-a-dash"])
