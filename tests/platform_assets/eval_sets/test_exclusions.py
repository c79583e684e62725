"""What a mixture must leave out, and the leak check the mixtures level wires as an asset check."""

import lance
import pyarrow as pa

from platform_assets.eval_sets import exclusions as X
from platform_assets.eval_sets.contamination import CONTAMINATION_SCHEMA

ROWS = [  # doc a: dropped; b: cut (two item rows); c: canary drop; h: held out; e: cut and held out
    {"doc_id": "a", "day": "d1", "action": "drop", "kept_spans": []},
    {"doc_id": "b", "day": "d1", "action": "cut", "kept_spans": [[0, 4], [10, 14]]},
    {"doc_id": "b", "day": "d1", "action": "cut", "kept_spans": [[0, 4], [10, 14]]},
    {"doc_id": "c", "day": "d2", "action": "drop", "kept_spans": []},
    {"doc_id": "e", "day": "d2", "action": "cut", "kept_spans": [[0, 3]]},
]
CONTAMINATION = pa.Table.from_pylist(ROWS, CONTAMINATION_SCHEMA)
HELDOUT = pa.table({"doc_id": ["h", "e"], "day": ["d1", "d2"]})


def test_exclusions_table_and_set():
    assert X.exclusions(CONTAMINATION, HELDOUT).to_pylist() == [
        {"doc_id": "a", "reason": "contaminated_drop"}, {"doc_id": "b", "reason": "contaminated_cut"},
        {"doc_id": "c", "reason": "contaminated_drop"}, {"doc_id": "e", "reason": "contaminated_cut"},
        {"doc_id": "h", "reason": "heldout"}]
    assert X.excluded_doc_ids(CONTAMINATION, HELDOUT, days=["d1"]) == {"a", "b", "h"}


def test_leaked_allows_only_pieces_of_cut_documents(tmp_path):
    mixture = ["ok", "a", "b", "b#cut0", "a#cut0", "h", "e#cut0", "x#cut1"]
    assert X.leaked(mixture, CONTAMINATION, HELDOUT) == ["a", "a#cut0", "b", "e#cut0", "h"]
    assert X.leaked(["ok", "b#cut1"], CONTAMINATION, HELDOUT) == []
    uri = str(tmp_path / "contamination.lance")
    lance.write_dataset(CONTAMINATION, uri)  # a Lance dataset works the same, with the day filter pushed down
    assert X.leaked(mixture + ["c"], lance.dataset(uri), None, days=["d2"]) == ["c"]


def test_clean_pieces_are_separate_samples():
    docs = pa.table({"doc_id": ["b", "z"], "text": ["abcdXXXXXXefgh", "untouched"]})
    assert X.clean_pieces(CONTAMINATION, docs).to_pylist() == [
        {"doc_id": "b#cut0", "source_doc_id": "b", "text": "abcd"},
        {"doc_id": "b#cut1", "source_doc_id": "b", "text": "efgh"}]
