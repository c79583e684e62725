"""The commands' console: no wrapping at rich's default 80 columns when stdout is not a terminal."""

from platform_assets.cli.args import console


def test_output_off_a_terminal_is_never_wrapped(capsys):
    line = "2026-01-02: 1,234 raw (+5 quarantined) → " + ", ".join(f"filter_{i} {i}" for i in range(30))
    console().print(line)
    out = capsys.readouterr().out
    assert len(line) > 200 and out == line + "\n"
