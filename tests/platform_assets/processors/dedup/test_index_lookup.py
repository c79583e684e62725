"""near_dup_index looked up through sorted band-key runs answers exactly as a scan of every earlier row."""

from __future__ import annotations

import lance
import numpy as np
import pyarrow as pa

from platform_assets.processors.dedup.index_lookup import BandRuns, IndexLookup
from platform_assets.processors.dedup.prior import match_sorted
from platform_assets.processors.dedup.schemas import INDEX_SCHEMA
from resources import lance_writes
from resources.lance_filters import all_of, compare

BANDS = 14
DAYS = [f"2026-11-{d:02d}" for d in range(1, 8)]
PRESET = compare("preset", "=", "fineweb")


def index_rows(day: str, n: int, seed: int, preset: str = "fineweb", bands: int = BANDS) -> pa.Table:
    """`n` documents whose keys come from a small space (many collisions, some keys shared by several
    documents); every fifth one too short to have keys."""
    rng = np.random.default_rng(seed)
    keys = rng.integers(0, 60, (n, bands), dtype=np.uint64)
    lists = [[] if i % 5 == 4 else keys[i].tolist() for i in range(n)]
    return pa.table({"doc_id": [f"{day}-{seed}-{i}" for i in range(n)], "day": [day] * n,
                     "preset": [preset] * n, "bands": pa.array(lists, pa.list_(pa.uint64()))},
                    schema=INDEX_SCHEMA)


def write_day(uri: str, table: pa.Table) -> None:
    day = table.column("day")[0].as_py()
    lance_writes.replace_partitions(uri, pa.RecordBatchReader.from_batches(INDEX_SCHEMA, table.to_batches()),
                                    ["day"], [(day,)])


def new_day(seed: int, n: int = 25) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per band: the new day's keys sorted, with their owner (as the stage's sorted runs give them)."""
    keys = np.random.default_rng(seed).integers(0, 60, (n, BANDS), dtype=np.uint64)
    present = np.flatnonzero(np.arange(n) % 7 != 3)
    out = []
    for b in range(BANDS):
        order = np.argsort(keys[present, b], kind="stable")
        out.append((keys[present, b][order], present[order]))
    return out


def scanned(uri: str, per_band, day: str):
    earlier = all_of(compare("day", "<", day), PRESET)
    found = match_sorted(per_band, lance.dataset(uri).scanner(columns=["doc_id", "day", "bands"],
                                                              filter=earlier, batch_size=7).to_reader())
    return as_set(found), found.rows_checked


def looked_up(runs: BandRuns, uri: str, per_band, day: str):
    found = IndexLookup(runs, lance.dataset(uri), day).match(per_band)
    return as_set(found), found.rows_checked


def as_set(found) -> set:
    rows = list(zip(found.current, found.prior_day, found.prior_id, found.shared_bands, strict=True))
    assert len(rows) == len(set(rows))
    return set(rows)


def test_lookups_equal_the_full_scan_across_days(tmp_path):
    """Each day checked against the days before it, as the index grows: same pairs, same shared-band
    counts, same rows checked; each refresh reads only the day committed since the last lookup."""
    uri = str(tmp_path / "near_dup_index.lance")
    runs = BandRuns(tmp_path / "runs", BANDS, PRESET, spill_bytes=512)
    write_day(uri, pa.concat_tables([index_rows(DAYS[0], 30, 1), index_rows(DAYS[0], 8, 99, "nemo", 20)]))
    for k, day in enumerate(DAYS[1:], start=1):
        want, checked = scanned(uri, new_day(k), day)
        assert want and checked
        assert looked_up(runs, uri, new_day(k), day) == (want, checked)
        assert runs.stats["rows_read"] == 30  # only the day written since (its fineweb rows)
        assert runs.stats["runs"] <= 2 + int(np.log2(k))
        write_day(uri, index_rows(day, 30, k + 1))


def test_replaced_backfilled_and_compacted_days_see_only_the_current_earlier_rows(tmp_path):
    uri = str(tmp_path / "near_dup_index.lance")
    runs = BandRuns(tmp_path / "runs", BANDS, PRESET)
    for k, day in enumerate(DAYS[:5]):
        write_day(uri, index_rows(day, 20, k))
    assert looked_up(runs, uri, new_day(7), DAYS[5]) == scanned(uri, new_day(7), DAYS[5])
    write_day(uri, index_rows(DAYS[1], 12, 50))  # day 2 rematerialized: its old rows must not match
    for day in (DAYS[5], DAYS[2], DAYS[0]):  # the next day, and backfills of earlier days
        assert looked_up(runs, uri, new_day(8), day) == scanned(uri, new_day(8), day)
    assert runs.stats["fragments_read"] == 0
    lance.dataset(uri).optimize.compact_files()  # every fragment rewritten: all re-read, none matched twice
    assert looked_up(runs, uri, new_day(9), DAYS[5]) == scanned(uri, new_day(9), DAYS[5])
    assert runs.stats["rows_read"] == 92 and runs.stats["runs"] == 1


def test_a_crashed_build_is_ignored_and_a_deleted_cache_is_rebuilt(tmp_path):
    uri = str(tmp_path / "near_dup_index.lance")
    runs = BandRuns(tmp_path / "runs", BANDS, PRESET)
    for k, day in enumerate(DAYS[:3]):
        write_day(uri, index_rows(day, 20, k))
    want = scanned(uri, new_day(3), DAYS[3])
    (tmp_path / "runs" / "run-deadbeef.tmp").mkdir(parents=True)  # what a crash mid-build leaves
    assert looked_up(runs, uri, new_day(3), DAYS[3]) == want
    for run in runs.runs():
        run.remove()
    assert looked_up(runs, uri, new_day(3), DAYS[3]) == want
    assert runs.stats["rows_read"] == 60


def test_every_day_lookup_equals_a_scan_of_the_whole_index(tmp_path):
    """day=None (the synthetics corpus gate): every day's rows are earlier; the runs are built once under
    `IndexLookup.of`'s folder and a second lookup reads no index row."""
    from platform_assets.processors.dedup.presets import get_preset

    uri = str(tmp_path / "near_dup_index.lance")
    for k, day in enumerate(DAYS[:3]):
        write_day(uri, index_rows(day, 30, k + 1))
    preset = get_preset("fineweb")
    assert preset.bands == BANDS
    want = match_sorted(new_day(7), lance.dataset(uri).scanner(columns=["doc_id", "day", "bands"],
                                                              filter=PRESET).to_reader())
    lookup = IndexLookup.of(tmp_path / "cache", uri, lance.dataset(uri), preset, PRESET, day=None)
    found = lookup.match(new_day(7))
    assert as_set(found) == as_set(want) and found.rows_checked == want.rows_checked == 90
    assert {d for d in found.prior_day} == set(DAYS[:3])  # the last day too: nothing is later than None
    assert lookup.runs.stats["rows_read"] == 90
    again = IndexLookup.of(tmp_path / "cache", uri, lance.dataset(uri), preset, PRESET, day=None)
    assert as_set(again.match(new_day(7))) == as_set(want) and again.runs.stats["rows_read"] == 0


def test_sweep_removes_the_runs_of_deleted_indexes_only(tmp_path):
    import fcntl
    import shutil

    from platform_assets.cli.gc import _index_exists
    from platform_assets.processors.dedup.index_lookup import sweep
    from platform_assets.processors.dedup.presets import get_preset

    cache, preset = tmp_path / "cache", get_preset("fineweb")
    uris = [str(tmp_path / f"lake{i}" / "near_dup_index.lance") for i in range(3)]
    for uri in uris:
        write_day(uri, index_rows(DAYS[0], 10, 1))
        IndexLookup.of(cache, uri, lance.dataset(uri), preset, PRESET, day=None).match(new_day(1))
    (cache / "0123456789abcdef" / "fineweb").mkdir(parents=True)  # a folder from before uris were recorded
    shutil.rmtree(tmp_path / "lake1")
    shutil.rmtree(tmp_path / "lake2")
    busy = IndexLookup.of(cache, uris[2], None, preset, PRESET, day=None).runs
    assert len(list(cache.iterdir())) == 4
    unnamed = str(cache / "0123456789abcdef")
    assert sorted(sweep(cache, _index_exists, dry_run=True)) == sorted([uris[1], uris[2], unnamed])
    assert len(list(cache.iterdir())) == 4  # a dry run removes nothing
    with open(busy.folder / ".lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # a lookup of lake2 running: its folder stays
        assert sorted(sweep(cache, _index_exists)) == sorted([uris[1], unnamed])
    assert busy.folder.exists()
    assert sweep(cache, _index_exists) == [uris[2]]
    left = list(cache.iterdir())
    assert len(left) == 1 and (left[0] / "index_uri").read_text() == uris[0]
    assert _index_exists("s3://bucket/lake/near_dup_index.lance")  # an object store is never assumed gone
