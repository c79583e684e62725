"""preference_pairs / rejected_pairs end to end: verified pairs, provenance, gates, candidates accounted."""

import json

import lance
import pyarrow.compute as pc

from tests.platform_assets.synthetics.conftest import materialize


def _read(lake, name: str):
    return lance.dataset(f"{lake}/{name}.lance").to_table()


def test_pairs_are_verified_traceable_and_gated(lake, resources, spec_dir):
    result = materialize(resources)
    assert result.success
    pairs, rejected = _read(lake, "preference_pairs"), _read(lake, "rejected_pairs")
    by_reason = {r["doc_id"]: (r["stage"], r["reason"], r["detail"]) for r in rejected.to_pylist()}
    # candidates = pairs + rejected: every seed the SQL selected (15 of 16 docs) is one candidate here
    assert pairs.num_rows + rejected.num_rows == 15
    assert by_reason["math-noanswer"][:2] == ("seed", "math_without_answer_line")
    assert by_reason["leak-0"][:2] == ("gate", "contaminated")
    assert "maslow_math_word/wp-01" in by_reason["leak-0"][2]
    assert by_reason["math-dup"][1] == "duplicate_in_run"
    assert by_reason["math-1"][:2] == ("gate", "duplicates_corpus") and "prose-copy" in by_reason["math-1"][2]
    # math-0's own text is also clean document math-dup: a corpus copy other than its seed
    assert by_reason["math-0"][1] == "duplicates_corpus" and "math-dup" in by_reason["math-0"][2]
    kept = set(pairs.column("doc_id").to_pylist())
    assert {"math-2", "math-3", "code-0", "dialog-0"} <= kept
    row = pairs.filter(pc.equal(pairs["doc_id"], "code-0")).to_pylist()[0]
    assert row["chosen"] != row["rejected"] and row["margin"] == 1.0 and row["judge"] == "verifier_v1"
    assert row["chosen_verdict"] == "tests passed" and row["rejected_verdict"].startswith("tests failed")
    assert row["prompt_messages"] == [{"role": "user", "content": row["prompt"]}]
    assert row["chosen_messages"] == [{"role": "assistant", "content": row["chosen"]}]
    assert row["seed_asset"] == "clean_documents" and row["seed_version"] >= 1
    assert row["generator"] == "perturb_v1" and json.loads(row["chosen_sampling"]) == {"rule": "perturb_v1"}
    assert (row["chosen_sample_index"], row["rejected_sample_index"]) == (0, 1) and row["perturbation"]
    assert row["source"] == "exercises" and row["synthetic"] == "pairs"
    checks = {c.check_name: c.passed for c in result.get_asset_check_evaluations()}
    assert checks == {"judge_bias": True, "candidates_accounted": True}
    meta = result.get_asset_materialization_events()[0].materialization.metadata
    assert meta["pairs"].value == pairs.num_rows and meta["dropped/contaminated"].value == 1


def test_rerun_gives_the_same_pairs(lake, resources, spec_dir):
    materialize(resources)
    first = _read(lake, "preference_pairs").sort_by("pair_id")
    materialize(resources)
    again = _read(lake, "preference_pairs").sort_by("pair_id")
    assert first.column("pair_id").equals(again.column("pair_id"))
    assert first.column("rejected").equals(again.column("rejected"))
