"""The `maslow` command's error output: one useful line, the trace only with --verbose."""

from __future__ import annotations

from platform_assets.cli import main as cli
from platform_assets.mixtures.spec import MixtureSpecError


def _failing(args):
    try:
        raise MixtureSpecError("specs/mixtures/m.yaml", 7, "components[0].target_ratio", "must be > 0")
    except MixtureSpecError as e:
        raise RuntimeError("Error occurred while executing op") from e  # how a wrapper hides the cause


def test_an_error_is_one_line_and_the_trace_waits_for_verbose(monkeypatch, capsys):
    command = cli.COMMANDS["validate"]
    monkeypatch.setitem(cli.COMMANDS, "validate", cli.Command(command.help, command.arguments, _failing))
    assert cli.main(["validate"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == ["maslow validate: specs/mixtures/m.yaml:7: components[0].target_ratio: must be > 0",
                   "(maslow validate --verbose shows the full trace)"]
    assert cli.main(["validate", "--verbose"]) == 1
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and "RuntimeError" in err


def test_audit_of_an_unknown_asset_says_no_such_asset(maslow_home, capsys):
    assert cli.main(["audit", "clean_documnets"]) == 2
    out = capsys.readouterr().out.strip()
    assert out.startswith("maslow audit: no such asset 'clean_documnets'; did you mean clean_documents,")
