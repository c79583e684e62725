"""preference_pairs / rejected_pairs end to end: verified pairs, provenance, gates, candidates accounted."""

import json

import dagster as dg
import lance
import pyarrow.compute as pc

from platform_assets import spec_versions
from platform_assets.metadata_tables import records
from platform_assets.synthetics.preference_pairs import build_synthetics_asset
from tests.platform_assets import staleness
from tests.platform_assets.synthetics.conftest import SPEC, materialize


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
    assert meta["pairs"].value == pairs.num_rows
    assert records(meta["dropped_by_reason"].value)["contaminated"] == 1


def test_rerun_gives_the_same_pairs(lake, resources, spec_dir):
    materialize(resources)
    first = _read(lake, "preference_pairs").sort_by("pair_id")
    materialize(resources)
    again = _read(lake, "preference_pairs").sort_by("pair_id")
    assert first.column("pair_id").equals(again.column("pair_id"))
    assert first.column("rejected").equals(again.column("rejected"))


LLM_SPEC = """
name: {name}
description: model pairs
seed: 5
sql: select doc_id, text, domain from {{{{ ref('clean_documents') }}}} where doc_id in ('math-2', 'math-3')
generator: {{name: llm_v1}}
samples_per_prompt: 3
sampling: {{temperature: 0.7, top_p: 0.9, max_tokens: 128, seed: 40}}
judge: {{name: llm_judge_v1}}
judge_limits: {{max_flip_rate: 0.2, max_longer_win_share: {longer}}}
"""


def _prefer_longer(body: dict) -> str:
    user = body["messages"][-1]["content"]
    if "[Answer A]" not in user:
        return "Worked answer." + " More detail." * (body["seed"] - 40)
    a, b = user.split("[Answer A]\n")[1].split("\n\n[Answer B]\n")
    return "A" if len(a) > len(b.split("\n\nWhich answer")[0]) else "B"


def test_llm_pairs_keep_sampling_and_both_verdicts_and_rerun_from_cache(lake, resources, spec_dir, tmp_path):
    from resources.llm import LLMResource
    from tests.resources.fake_llm import serve

    (spec_dir / "model.yaml").write_text(LLM_SPEC.format(name="model", longer=1.0))
    (spec_dir / "strict.yaml").write_text(LLM_SPEC.format(name="strict", longer=0.5))
    with serve(_prefer_longer) as (url, handler):
        resources["llm"] = LLMResource(base_url=url, model="tiny-llm", cache_uri=str(tmp_path / "c.lance"))
        result = materialize(resources, "model")
        sent = len(handler.bodies)
        assert sent == 2 * 3 + 2 * 3 * 2  # 3 samples per prompt; 3 pairs each judged in both orders
        pairs = _read(lake, "preference_pairs").to_pylist()
        assert {p["doc_id"] for p in pairs} == {"math-2", "math-3"}
        row = pairs[0]
        assert (row["verdict_ab"], row["verdict_ba"]) in {("A", "B"), ("B", "A")}
        assert row["model"] == "tiny-llm" and row["judge_model"] == "tiny-llm" and row["margin"] is None
        assert json.loads(row["chosen_sampling"]) == {"temperature": 0.7, "top_p": 0.9, "max_tokens": 128,
                                                      "seed": 40 + row["chosen_sample_index"]}
        assert len(row["chosen"]) > len(row["rejected"])
        meta = result.get_asset_materialization_events()[0].materialization.metadata
        assert meta["judge/flip_rate"].value == 0.0 and meta["judge/longer_win_share"].value == 1.0
        assert meta["llm/requests"].value == sent
        materialize(resources, "model")
        assert len(handler.bodies) == sent  # the rerun is answered from the response cache
        strict = materialize(resources, "strict")
    checks = {c.check_name: c for c in strict.get_asset_check_evaluations()}
    assert not checks["judge_bias"].passed
    assert "longer answer wins 1.000 > 0.5" in checks["judge_bias"].description


PAIR_MIX = """
name: pairs_mix
description: post-training pairs
seed: 3
requested_tokens: {tokens}
output_columns: [prompt, chosen, rejected, prompt_messages, chosen_messages, rejected_messages, margin]
components:
  - name: pairs
    sql: |
      select pair_id as doc_id, prompt || chosen as text, token_count, prompt, chosen, rejected,
             prompt_messages, chosen_messages, rejected_messages, margin
      from {{{{ ref('preference_pairs') }}}}
    target_ratio: 1.0
"""


def test_a_mixture_takes_pairs_and_the_loader_serves_them(lake, resources, spec_dir):
    import dagster as dg
    import pyarrow as pa

    from platform_assets.mixtures.loader import PAIR_COLUMNS, Mixture
    from platform_assets.mixtures.mixtures import build_mixtures_asset

    materialize(resources)
    pairs = _read(lake, "preference_pairs")
    assert min(pairs.column("token_count").to_pylist()) > 10
    lance.write_dataset(pa.table({"doc_id": ["none"], "day": ["2026-01-01"]}),
                        f"{lake}/heldout_documents.lance")
    lance.write_dataset(pa.table({"doc_id": ["none"], "day": ["2026-01-01"], "action": ["drop"]}),
                        f"{lake}/contamination.lance")
    (spec_dir.parent / "mixtures").mkdir()
    total = sum(pairs.column("token_count").to_pylist())
    (spec_dir.parent / "mixtures" / "pairs_mix.yaml").write_text(PAIR_MIX.format(tokens=total // 2))
    result = dg.materialize([build_mixtures_asset()], partition_key="pairs_mix", resources=resources)
    assert result.success
    mix = Mixture("pairs_mix", root_uri=str(lake), columns=PAIR_COLUMNS)
    sample = mix[0]
    assert sample["doc_id"] in set(pairs.column("pair_id").to_pylist())
    assert sample["chosen_messages"][0]["role"] == "assistant" and sample["chosen"] != sample["rejected"]
    assert sample["prompt_messages"][-1]["content"] in sample["prompt"]


def test_trace_follows_a_pair_back_to_its_seed_document(lake, resources, spec_dir):
    from platform_assets.cli.lineage import trace

    materialize(resources)
    pair = _read(lake, "preference_pairs").filter(pc.equal(_read(lake, "preference_pairs")["doc_id"],
                                                           "math-2")).to_pylist()[0]
    names = ["clean_documents", "preference_pairs", "rejected_pairs", "mixtures"]
    found = trace.trace(str(lake), pair["pair_id"], names=names)
    assert found["preference_pairs"][0]["pair_id"] == pair["pair_id"]
    assert found["seed:clean_documents"][0]["doc_id"] == "math-2"
    text = trace.render(pair["pair_id"], found)
    assert text.startswith(f"pair {pair['pair_id']} from seed document math-2 (clean_documents v")
    rejected = _read(lake, "rejected_pairs")
    rejected = rejected.filter(pc.equal(rejected["doc_id"], "leak-0"))
    found = trace.trace(str(lake), rejected.column("pair_id")[0].as_py(), names=names)
    assert found["rejected_pairs"][0]["reason"] == "contaminated" and "seed:clean_documents" in found


def test_editing_one_spec_marks_only_its_partition_stale(lake, resources, spec_dir):
    """Two specs over the math seeds (no sandbox): editing `other` marks only its partition of both outputs
    stale; undoing the edit makes it fresh again."""
    light = SPEC.replace("('math', 'code', 'dialog')", "('math')")
    (spec_dir / "pairs.yaml").write_text(light.format(name="pairs"))
    other = spec_dir / "other.yaml"
    other.write_text(light.format(name="other"))
    instance = dg.DagsterInstance.ephemeral()
    for key in ("pairs", "other"):
        materialize(resources, key, instance=instance)
    asset = build_synthetics_asset()
    assets = [asset, spec_versions.family_asset("synthetics_specs", asset.partitions_def)]
    assert staleness.stale(instance, assets, resources, "preference_pairs") == {}
    other.write_text(other.read_text().replace("seed: 5", "seed: 6"))
    cause = ["has a new dependency data version (synthetics_specs)"]
    assert staleness.stale(instance, assets, resources, "preference_pairs") == {"other": cause}
    assert staleness.stale(instance, assets, resources, "rejected_pairs") == {"other": cause}
    other.write_text(light.format(name="other"))
    assert staleness.stale(instance, assets, resources, "preference_pairs") == {}
