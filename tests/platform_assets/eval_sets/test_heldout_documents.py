"""heldout_documents: a per-domain hash sample that does not change when new days arrive."""

import dagster as dg
import lance
import pyarrow as pa
import xxhash

from platform_assets.eval_sets import heldout_documents as H
from platform_assets.partitions import DAILY_METADATA, daily_partitions
from resources.lance_io_manager import LanceIOManager

DOMAINS = ["prose", "code", "math", "dialog", "other"]


def day_rows(day: str, n: int = 600) -> pa.Table:
    ids = [f"{day}-doc-{i}" for i in range(n)]
    return pa.table({"doc_id": ids, "day": [day] * n, "source": ["web"] * n,
                     "domain": [DOMAINS[i % 5] for i in range(n)], "language": ["en"] * n,
                     "token_count": [10] * n, "text": [f"text of {d}" for d in ids]})


def expected(table: pa.Table) -> set[str]:
    score = {r["doc_id"]: xxhash.xxh3_64_intdigest((H.SALT + r["doc_id"]).encode()) / 2**64
             for r in table.to_pylist()}
    return {r["doc_id"] for r in table.to_pylist() if score[r["doc_id"]] < H.HELDOUT_FRACTION[r["domain"]]}


@dg.asset(name="clean_documents", partitions_def=daily_partitions, metadata=DAILY_METADATA,
          io_manager_key="lance_io_manager")
def clean_documents(context: dg.AssetExecutionContext) -> pa.Table:
    return day_rows(context.partition_key)


def held(lake) -> dict[str, set[str]]:
    ds = lance.dataset(str(lake / "heldout_documents.lance"))
    rows = ds.to_table(columns=["doc_id", "day"]).to_pylist()
    out: dict[str, set[str]] = {}
    for r in rows:
        out.setdefault(r["day"], set()).add(r["doc_id"])
    return out


def test_heldout_is_the_hash_rule_and_stable_when_a_day_is_added(maslow_home):
    io = LanceIOManager(root_uri=str(maslow_home / "lake"))
    resources = {"lance_io_manager": io, "io_manager": io}
    day1, day2 = daily_partitions.get_partition_keys()[-2:]
    assets = [clean_documents, H.heldout_documents]
    assert dg.materialize(assets, partition_key=day1, resources=resources).success
    first = held(maslow_home / "lake")
    assert first == {day1: expected(day_rows(day1))} and 5 <= len(first[day1]) <= 25
    for day in (day2, day1):  # a new day, then day 1 again
        assert dg.materialize(assets, partition_key=day, resources=resources).success
    after = held(maslow_home / "lake")
    assert after[day1] == first[day1] and after[day2] == expected(day_rows(day2))
    assert not after[day1] & after[day2]


def test_fraction_is_per_domain():
    table = day_rows("2026-01-01", 2000)
    rows = pa.Table.from_batches(list(H.select_heldout(table.to_batches(), {"code": 1.0, "prose": 0.0})))
    assert set(rows["domain"].to_pylist()) == {"code"} and rows.num_rows == 400
    assert all(0 <= s < 1 for s in rows["heldout_score"].to_pylist())
