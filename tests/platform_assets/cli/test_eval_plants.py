"""Everything the demo planter plants into the demo corpus (whole items, fragments, canaries) is found."""

import pyarrow as pa

from platform_assets import settings
from platform_assets.cli.demo_data import build_corpus
from platform_assets.cli.demo_data import eval_plants as demo_plants
from platform_assets.eval_sets import catalog
from platform_assets.eval_sets.contamination import canaries_of
from platform_assets.eval_sets.eval_ngram_index import build_index_table, index_from_table
from platform_assets.eval_sets.items import build_items
from platform_assets.processors import decontam

FOLDER = settings.SPEC_DIR / catalog.FOLDER
DAYS = ["2026-01-01", "2026-01-02", "2026-01-03", "2026-01-04"]


def test_every_plant_is_found_with_its_expected_action():
    corpus = build_corpus(DAYS, seed=7, docs_per_day=200)
    demo_plants.plant_eval_items(corpus, FOLDER)
    truth = corpus.truth[demo_plants.TRUTH_KEY]
    docs = [d for day_docs in corpus.docs.values() for d in day_docs]
    names = {id(d): f"{d.source}/{d.day}/{i}" for i, d in enumerate(docs)}

    items = pa.concat_tables([build_items(s)[0] for s in catalog.load_catalog(FOLDER).values()])
    index = index_from_table(build_index_table(items, [13]), 13)
    rows = decontam.check_texts([names[id(d)] for d in docs], [d.text for d in docs], index,
                                decontam.PRESETS["lm_eval"], canaries_of(items))
    found = {(r["doc_id"], r["eval_set"], r["item_id"]): r["action"] for r in rows}

    kinds = [t["kind"] for t in truth]
    assert (kinds.count("eval_item"), kinds.count("eval_fragment"), kinds.count("eval_canary")) == (8, 4, 2)
    assert kinds.count("eval_math_question") == len(DAYS)
    for t in truth:
        assert found.get((names[id(t["doc"])], t["eval_set"], t["item_id"])) == t["expect_action"], t
    assert {r["doc_id"] for r in rows} == {names[id(t["doc"])] for t in truth}  # nothing else is flagged


def test_missing_plants_reads_truth_file_entries():
    truth = [{"doc": {"doc_id": "a"}, "eval_set": "s", "item_id": "i", "expect_action": "cut"},
             {"doc": {"doc_id": "b"}, "eval_set": "s", "item_id": None, "expect_action": "drop"},
             {"doc": {"doc_id": "c"}, "eval_set": "s", "item_id": "i", "expect_action": "drop"}]
    found = pa.table({"doc_id": ["a", "b", "c"], "eval_set": ["s"] * 3, "item_id": ["i", None, "j"],
                      "action": ["cut", "drop", "drop"]})
    assert demo_plants.missing_plants(truth, found) == truth[2:]
