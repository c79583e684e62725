"""The first daily partition does not move with the day the code is loaded (platform_assets/settings.py)."""

from datetime import date

from platform_assets import settings


def test_default_is_fixed_whatever_today_is(maslow_home, monkeypatch):
    monkeypatch.delenv("MASLOW_START_DATE", raising=False)
    assert settings.start_date() == settings.DEFAULT_START_DATE == "2026-01-01"
    (maslow_home / "landing" / "web" / date.today().isoformat()).mkdir(parents=True)
    assert settings.start_date() == "2026-01-01"  # a later landed day changes nothing


def test_an_earlier_landed_day_extends_the_partitions(maslow_home, monkeypatch):
    monkeypatch.delenv("MASLOW_START_DATE", raising=False)
    landing = maslow_home / "landing"
    for folder in ("web/2025-06-03", "code/2025-07-01", "_truth/2024-01-01", "web/notes", "web/20250101"):
        (landing / folder).mkdir(parents=True)
    assert settings.landed_days(landing) == ["2025-06-03", "2025-07-01"]
    assert settings.start_date() == "2025-06-03"


def test_maslow_start_date_overrides(maslow_home, monkeypatch):
    (maslow_home / "landing" / "web" / "2025-06-03").mkdir(parents=True)
    monkeypatch.setenv("MASLOW_START_DATE", "2026-11-01")
    assert settings.start_date() == "2026-11-01"


def test_timezone_defaults_to_utc(monkeypatch):
    monkeypatch.delenv("MASLOW_TIMEZONE", raising=False)
    assert settings.timezone() == "UTC"
    monkeypatch.setenv("MASLOW_TIMEZONE", "Asia/Tokyo")
    assert settings.timezone() == "Asia/Tokyo"
