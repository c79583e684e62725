"""The eval-set assets through Dagster and Lance: partitions per YAML, index, contamination, report."""

import dagster as dg
import lance
import pyarrow as pa

from platform_assets.eval_sets import contamination, contamination_report, eval_ngram_index
from platform_assets.partitions import DAILY_METADATA, daily_partitions
from resources.lance_io_manager import LanceIOManager

from .conftest import QUIZ_LINES

Q1 = QUIZ_LINES[0]["q"]
FILLER = "plain training text about nothing in particular. " * 12
F = len(FILLER)  # 588


def clean_documents_stub(days: dict[str, list[tuple[str, str]]]):
    @dg.asset(name="clean_documents", partitions_def=daily_partitions, metadata=DAILY_METADATA,
              io_manager_key="lance_io_manager")
    def clean_documents(context: dg.AssetExecutionContext) -> pa.Table:
        rows = days[context.partition_key]
        return pa.table({"doc_id": [d for d, _ in rows], "day": [context.partition_key] * len(rows),
                         "text": [t for _, t in rows], "domain": ["prose"] * len(rows)})

    return clean_documents


def run(assets, selection, lake, partition=None):
    io = LanceIOManager(root_uri=str(lake))
    result = dg.materialize(assets, selection=selection, partition_key=partition,
                            resources={"lance_io_manager": io, "io_manager": io})
    assert result.success
    return result


def test_eval_items_has_one_partition_per_yaml(eval_specs, maslow_home):
    assert eval_specs.eval_set_partitions.get_partition_keys() == ["quiz", "sums"]
    for key in ("quiz", "sums"):
        run([eval_specs.eval_items], None, maslow_home / "lake", key)
    items = lance.dataset(str(maslow_home / "lake" / "eval_items.lance")).to_table().sort_by("item_id")
    errors = lance.dataset(str(maslow_home / "lake" / "eval_item_errors.lance")).to_table()
    assert items.select(["eval_set", "item_id"]).to_pylist() == [
        {"eval_set": "quiz", "item_id": "q1"}, {"eval_set": "quiz", "item_id": "q2"},
        {"eval_set": "sums", "item_id": "s1"}]
    assert sorted(zip(errors["eval_set"].to_pylist(), errors["reason"].to_pylist(), strict=True)) == [
        ("quiz", "answer_not_in_choices"), ("quiz", "bad_choices"), ("quiz", "duplicate_id"),
        ("quiz", "malformed_record"), ("quiz", "missing_id"), ("quiz", "missing_question"),
        ("sums", "non_numeric_answer")]


def test_contamination_and_report_end_to_end(eval_specs, maslow_home):
    lake = maslow_home / "lake"
    day1, day2 = daily_partitions.get_partition_keys()[-2:]
    q1_words = Q1.split()
    docs = {
        day1: [("fragment", FILLER + " ".join(q1_words[2:16]) + " " + FILLER),
               ("canary", "QUIZ CANARY 5e0c-77ab-0123 " + FILLER), ("clean", FILLER)],
        day2: [("twelve", FILLER + " ".join(q1_words[:12]) + " " + FILLER),
               # the whole item as indexed: 22 question words + 2 choices + answer = 28 words, 16 13-grams
               ("whole", FILLER + Q1 + "\na ruler\na sextant\na sextant " + FILLER)],
    }
    stub = clean_documents_stub(docs)
    assets = [stub, eval_specs.eval_items, eval_ngram_index.eval_ngram_index, contamination.contamination,
              contamination_report.contamination_report]
    for key in ("quiz", "sums"):
        run(assets, [eval_specs.eval_items], lake, key)
    run(assets, [eval_ngram_index.eval_ngram_index], lake)
    checked = [run(assets, [stub, contamination.contamination], lake, day) for day in (day1, day2)]
    report = run(assets, [contamination_report.contamination_report], lake)

    rows = lance.dataset(str(lake / "contamination.lance")).to_table().sort_by("doc_id").to_pylist()
    got = [(r["doc_id"], r["day"], r["eval_set"], r["item_id"], r["matched_ngrams"], r["action"], r["reason"])
           for r in rows]
    assert got == [("canary", day1, "quiz", None, 0, "drop", "canary"),
                   ("fragment", day1, "quiz", "q1", 2, "cut", "ngram_cut"),
                   ("whole", day2, "quiz", "q1", 16, "drop", "too_many_matches")]
    fragment = " ".join(q1_words[2:16])  # 14 words: two 13-grams, cut 200 characters either side
    assert rows[1]["kept_spans"] == [[0, F - 200], [F + len(fragment) + 200, 2 * F + len(fragment) + 1]]
    assert rows[1]["spans"] == [[F - 200, F + len(fragment) + 200]]
    assert rows[1]["ngram_texts"] == [
        "did the lighthouse keeper use to measure the height of the storm waves",
        "the lighthouse keeper use to measure the height of the storm waves that"]
    assert (len(rows[2]["ngram_texts"]), rows[2]["ngram_texts"][-1]) == (
        16, "that struck the northern cliffs every winter a ruler a sextant a sextant")
    assert rows[0]["ngram_texts"] == []

    table = lance.dataset(str(lake / "contamination_report.lance")).to_table().to_pylist()
    by_key = {(r["eval_set"], r["day"]): (r["contaminated_items"], r["items"], r["share"], r["docs_dropped"],
                                          r["docs_cut"], r["canary_docs"]) for r in table}
    assert by_key == {("quiz", day1): (1, 2, 0.5, 1, 1, 1), ("quiz", day2): (1, 2, 0.5, 1, 0, 0),
                      ("quiz", "total"): (1, 2, 0.5, 2, 1, 1), ("sums", "total"): (0, 1, 0.0, 0, 0, 0)}
    meta = report.asset_materializations_for_node("contamination_report")[0].metadata
    assert (meta["share/quiz"].value, meta["share/sums"].value) == (0.5, 0.0)
    assert meta["share_per_day"].value == {"quiz": {day1: 0.5, day2: 0.5, "total": 0.5},
                                           "sums": {"total": 0.0}}
    assert meta["preset"].value == "lm_eval" and {r["preset"] for r in table} == {"lm_eval"}
    assert [r.asset_materializations_for_node("contamination")[0].metadata["preset"].value for r in checked] \
        == ["lm_eval", "lm_eval"]
    assert {r["preset"] for r in rows} == {"lm_eval"}


def test_items_usable_fails_when_most_records_are_quarantined_or_none_is_valid(eval_specs, maslow_home):
    lake = maslow_home / "lake"
    checks = {key: run([eval_specs.eval_items], None, lake, key).get_asset_check_evaluations()[0]
              for key in ("quiz", "sums")}
    quiz, sums = checks["quiz"], checks["sums"]
    assert (quiz.passed, quiz.severity) == (False, dg.AssetCheckSeverity.ERROR)
    assert "75% of the records are quarantined (limit 20%)" in quiz.metadata["problem"].value
    assert (sums.passed, sums.metadata["quarantined_share"].value) == (False, 0.5)


def test_an_eval_set_without_a_valid_item_fails_its_check():
    from types import SimpleNamespace

    from platform_assets.eval_sets.eval_items import usable_check

    spec = SimpleNamespace(spec_path="eval_sets/capitals.yaml", file="data/capitals.jsonl")
    result = usable_check(spec, 0, 10)
    assert not result.passed and result.metadata["problem"].value == (
        "eval_sets/capitals.yaml: no valid item out of 10 records; check `fields` against the columns of "
        "data/capitals.jsonl")
    assert usable_check(spec, 9, 1).passed


def test_contamination_fails_its_check_when_an_eval_set_has_no_ngrams():
    from platform_assets.processors import decontam

    long = "what instrument did the lighthouse keeper use to measure the height of the storm waves"
    items = pa.table({"eval_set": ["quiz", "sums"], "item_id": ["q1", "s1"],
                      "index_text": [long, "what is 2 + 2"], "canary": [None, None]})
    preset = decontam.PRESETS["lm_eval"]
    index = eval_ngram_index.build_index_table(items, [preset.n])
    check = contamination.indexed_check(items, index, preset)
    assert (check.passed, check.severity, check.asset_key) == (
        False, dg.AssetCheckSeverity.ERROR, dg.AssetKey("contamination"))
    assert check.metadata["problem"].value == (
        "sums: no item has 13 words or more, so these eval sets are never matched (preset lm_eval)")
    assert contamination.indexed_check(items.slice(0, 1), index, preset).passed
    empty = contamination.indexed_check(items, index.slice(0, 0), preset)
    assert not empty.passed
    assert "holds no 13-grams: nothing is decontaminated" in empty.metadata["problem"].value
