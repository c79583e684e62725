"""OLMo-core's source-mixture test cases (src/test/data/source_mixture_test.py at fa6c501), restated.

OLMo-core's sources are token files written by its `mk_mmaps` helper: 1,000,000 random tokens with an EOS
after every 4, i.e. 1,250,000 tokens a file (625,000 for its 500,000-token file). Here a file is 1,000
documents of 1,250 tokens, so every budget of its cases falls on whole documents. OLMo-core packs tokens into
instances of `sequence_length` (1,024) and rounds the request up to whole global batches of 32 instances:
its builds hold 4,896 instances = 5,013,504 tokens for a 5,000,000-token request (2,944 = 3,014,656 for
3,000,000). maslow has no instances or batches when it samples, so it rounds to whole documents and holds at
least the request (docs/mixtures.md): exactly 5,000,000 here, where documents divide every budget.
"""

import math

import numpy as np
import pytest
from pydantic import ValidationError

from platform_assets.mixtures import sampling
from platform_assets.mixtures.sampling import InsufficientTokensError, Source
from platform_assets.mixtures.spec import Component, MixtureSpec

FILE_DOCS, DOC_TOKENS = 1_000, 1_250  # one OLMo-core test file: 1,250,000 tokens
SQL = "select doc_id, text, token_count from {{ ref('clean_documents') }}"


def _files(name: str, files: float, ratio: float, **kw) -> Source:
    n = int(files * FILE_DOCS)
    ids = [f"{name}-{i}" for i in range(n)]
    return Source(name, np.full(n, DOC_TOKENS, np.int64), sampling.doc_priority(ids, name), ratio, **kw)


def _total(plan: sampling.Plan) -> int:
    return sum(s.achieved_tokens for s in plan.stats)


def _olmo_total(requested: int, sequence_length: int = 1024, batch_instances: int = 32) -> int:
    """What OLMo-core builds: the request rounded up to whole global batches of whole instances."""
    return math.ceil(requested / (sequence_length * batch_instances)) * sequence_length * batch_instances


def _spec(*ratios: float) -> MixtureSpec:
    return MixtureSpec.model_validate({
        "name": "m", "description": "d", "requested_tokens": 1000,
        "components": [{"name": f"c{i}", "sql": SQL, "target_ratio": r} for i, r in enumerate(ratios)]})


def test_three_components_of_0_33333_are_accepted_and_give_at_least_the_request():
    assert len(_spec(0.33333, 0.33333, 0.33333).components) == 3  # |sum - 1| = 1e-5: within tolerance
    plan = sampling.plan_mixture([_files(n, 2, 0.33333) for n in "123"], 5_000_000, seed=42)
    # each budget is ceil(5e6 / 3) = 1,666,667; the closest whole documents (1,333 of them, 1,666,250
    # tokens) fall 2,250 short in all, so one component takes one more document
    assert [s.target_tokens for s in plan.stats] == [1_666_667] * 3
    assert sorted(s.achieved_tokens for s in plan.stats) == [1_666_250, 1_666_250, 1_667_500]
    assert _total(plan) == 5_000_000 and _olmo_total(5_000_000) == 5_013_504


def test_a_ratio_over_one_and_a_component_without_data_are_refused():
    with pytest.raises(ValidationError, match="less than or equal to 1"):
        Component(name="source1", sql=SQL, target_ratio=1.2)
    with pytest.raises(ValidationError, match="reads no asset"):  # OLMo-core: paths must not be empty
        Component(name="source1", sql="select 1 as doc_id", target_ratio=0.5)
    assert Component(name="source1", sql=SQL, target_ratio=0.5).target_ratio == 0.5


def test_ratios_must_sum_to_one():
    assert [c.target_ratio for c in _spec(0.5, 0.5).components] == [0.5, 0.5]
    with pytest.raises(ValidationError, match="must sum to 1, they sum to 1.2"):
        _spec(0.7, 0.5)


def test_build_with_ratios_0_33_0_33_0_34():
    plan = sampling.plan_mixture([_files("1", 2, 0.33), _files("2", 2, 0.33), _files("3", 2, 0.34)],
                                 5_000_000, seed=42)
    assert [s.achieved_tokens for s in plan.stats] == [1_650_000, 1_650_000, 1_700_000]
    assert _total(plan) == 5_000_000 and plan.achieved_ratios() == {"1": 0.33, "2": 0.33, "3": 0.34}


def test_half_of_the_request_from_one_file_needs_repetition():
    sources = [_files("1", 1, 0.5), _files("2", 2, 0.25), _files("3", 2, 0.25)]
    with pytest.raises(InsufficientTokensError) as e:  # 2,500,000 wanted, 1,250,000 there
        sampling.plan_mixture(sources, 5_000_000, seed=42)
    assert "component '1'" in str(e.value) and "2,500,000 tokens needed" in str(e.value)
    assert "max_repetition_ratio >= 2" in str(e.value)
    sources[0] = _files("1", 1, 0.5, max_repetition_ratio=3.0)
    plan = sampling.plan_mixture(sources, 5_000_000, seed=42)
    one = plan.stats[0]
    assert (one.achieved_tokens, one.epochs, one.documents, one.samples) == (2_500_000, 2, 1_000, 2_000)
    assert _total(plan) == 5_000_000  # OLMo-core: 5,013,504 (whole batches)


def test_ten_percent_of_a_file_cannot_cover_a_quarter():
    sources = [_files("1", 1, 0.25, max_source_fraction=0.10), _files("2", 2, 0.25), _files("3", 2, 0.5)]
    with pytest.raises(InsufficientTokensError) as e:  # requested: 5 files x 1,000,000 tokens
        sampling.plan_mixture(sources, 5_000_000, seed=42)
    assert "usable = 125,000 tokens within max_source_fraction 0.1" in str(e.value)


def test_a_file_listed_twice_is_repetition_in_maslow():
    # OLMo-core lists a 625,000-token file twice (max_repetition_ratio 2) and counts it twice: 6 index
    # entries from 5 files. maslow refuses a document selected twice (and a component named twice); the
    # same data comes from max_repetition_ratio: 990,000 tokens = 1.584 passes over the file
    sources = [_files("1", 0.5, 0.33, max_repetition_ratio=2.0), _files("2", 2, 0.33), _files("3", 2, 0.34)]
    plan = sampling.plan_mixture(sources, 3_000_000, seed=42)
    one = plan.stats[0]
    assert (one.achieved_tokens, one.documents, one.samples, one.epochs) == (990_000, 500, 792, 2)
    assert _total(plan) == 3_000_000 and _olmo_total(3_000_000) == 3_014_656
    with pytest.raises(ValidationError, match="names must be unique"):
        MixtureSpec.model_validate({"name": "m", "description": "d", "requested_tokens": 1000, "components": [
            {"name": "source1", "sql": SQL, "target_ratio": 0.5}, {"name": "source1", "sql": SQL,
                                                                   "target_ratio": 0.5}]})


@pytest.mark.parametrize("seed", range(8))
def test_the_mixture_holds_at_least_the_request_with_documents_of_any_size(seed):
    rng = np.random.default_rng(seed)
    priorities = rng.integers(0, 2**63, (5, 2_000)).astype(np.uint64)
    sources = [Source(f"c{i}", rng.integers(200, 3_000, 2_000), priorities[i], ratio)
               for i, ratio in enumerate((0.4, 0.3, 0.15, 0.1, 0.05))]
    plan = sampling.plan_mixture(sources, 1_000_000, seed=seed)
    largest = max(int(s.tokens.max()) for s in sources)
    assert 1_000_000 <= _total(plan) < 1_000_000 + len(sources) * largest
    targets = {s.name: s.target_ratio for s in sources}
    assert all(abs(r - targets[n]) <= largest / _total(plan) for n, r in plan.achieved_ratios().items())


def test_the_repetition_cap_is_the_one_reason_to_stop_short():
    capped = Source("s", np.full(5, 10, np.int64), sampling.doc_priority(list("abcde"), "s"), 1.0,
                    max_repetition_ratio=1.5)  # 50 tokens, at most 75: whole documents reach 70
    assert _total(sampling.plan_mixture([capped], 75, seed=0)) == 70
