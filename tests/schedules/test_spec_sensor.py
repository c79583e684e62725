"""The `spec_versions` sensor records a new version only for the spec files (and landed days) that changed."""

from datetime import date, timedelta

import dagster as dg

from schedules.spec_sensor import spec_versions_sensor

KEYS = ["mixture_specs", "source_specs"]


def _tick(instance) -> dict[str, str]:
    """One tick, its observations recorded as the daemon would: `{asset[partition]: data version}`."""
    result = spec_versions_sensor(KEYS)(dg.build_sensor_context(instance=instance))
    if isinstance(result, dg.SkipReason):
        return {}
    for obs in result.asset_events:
        instance.report_runless_asset_event(obs)
    return {f"{o.asset_key.to_user_string()}[{o.partition}]": o.tags["dagster/data_version"]
            for o in result.asset_events}


def test_only_changed_specs_and_days_get_a_new_version(maslow_home, tmp_path, monkeypatch):
    specs = tmp_path / "specs"
    (specs / "mixtures").mkdir(parents=True)
    for name in ("a", "b"):
        (specs / "mixtures" / f"{name}.yaml").write_text(f"name: {name}\n")
    (specs / "sources.yaml").write_text("sources:\n  web:\n    domain: prose\n")
    monkeypatch.setenv("MASLOW_SPECS", str(specs))
    days = [(date.today() - timedelta(days=n)).isoformat() for n in (3, 2)]
    for source, day in (("web", days[0]), ("crawl", days[1])):
        (maslow_home / "landing" / source / day).mkdir(parents=True)
        (maslow_home / "landing" / source / day / "x.jsonl").write_text("{}\n")
    with dg.instance_for_test() as instance:
        first = _tick(instance)
        assert set(first) == {"mixture_specs[a]", "mixture_specs[b]", f"source_specs[{days[0]}]",
                              f"source_specs[{days[1]}]"}
        assert _tick(instance) == {}
        (specs / "mixtures" / "b.yaml").write_text("name: b\nseed: 2\n")
        (specs / "sources.yaml").write_text("sources:\n  web: {domain: prose}\n  crawl: {domain: code}\n")
        second = _tick(instance)
        assert set(second) == {"mixture_specs[b]", f"source_specs[{days[1]}]"}
        (specs / "mixtures" / "b.yaml").write_text("name: b\n")
        assert _tick(instance) == {"mixture_specs[b]": first["mixture_specs[b]"]}  # undone: the old version
