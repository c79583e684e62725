"""filters.yaml: the shipped file validates; errors name file and key; the fingerprint tracks values."""

from pathlib import Path

import pytest
import yaml

from platform_assets.processors.pipeline import CleanConfig, CleanConfigError, load_clean_config

SHIPPED = Path(__file__).parents[3] / "dbt_like_sql" / "filters.yaml"


def write(tmp_path, data) -> Path:
    path = tmp_path / "filters.yaml"
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data))
    return path


def test_shipped_config_loads_with_a_chain_per_domain():
    config = load_clean_config(SHIPPED)
    assert set(config.chains) == {"prose", "code", "math", "dialog", "other"}
    assert [f.name for f in config.chain("prose")] == [
        "gopher_repetition_v1",
        "gopher_quality_v1",
        "c4_quality_v1",
        "fineweb_quality_v1",
    ]
    assert config.chain("prose")[2].filter_no_terminal_punct is False
    assert config.chain("dialog")[0].top_n_grams[2] == 0.3  # chain-level override
    assert config.chain("math")[0].top_n_grams[2] == 0.2  # the default elsewhere


@pytest.mark.parametrize(
    "data, key",
    [
        ({"filters": {"gopher_quality_v1": {"min_doc_wrds": 3}}}, "filters.gopher_quality_v1.min_doc_wrds"),
        (
            {"filters": {"gopher_quality_v1": {"min_doc_words": "many"}}},
            "filters.gopher_quality_v1.min_doc_words",
        ),
        ({"filters": {"nope_v1": {}}}, "filters.nope_v1"),
        ({"chains": {"prose": ["gopher_quality_v1", "nope_v1"]}}, "chains.prose[1]"),
        (
            {"chains": {"code": [{"name": "code_alnum_v1", "params": {"min_alnum_fraction": "x"}}]}},
            "chains.code[0].params.min_alnum_fraction",
        ),
        ({"chains": {"poetry": []}}, "chains.poetry"),
        ({"language": {"min_score": 1.5}}, "language.min_score"),
        (
            {"filters": {"gopher_quality_v1": {"min_alpha_words_ratio": 1.2}}},
            "filters.gopher_quality_v1.min_alpha_words_ratio",
        ),
        (
            {"filters": {"fineweb_quality_v1": {"short_line_thr": -0.1}}},
            "filters.fineweb_quality_v1.short_line_thr",
        ),
        (
            {"filters": {"c4_quality_v1": {"min_num_sentences": -1}}},
            "filters.c4_quality_v1.min_num_sentences",
        ),
        (
            {"filters": {"gopher_repetition_v1": {"top_n_grams": {2: 1.5}}}},
            "filters.gopher_repetition_v1.top_n_grams[2]",
        ),
        (
            {"filters": {"gopher_quality_v1": {"min_doc_words": 500, "max_doc_words": 100}}},
            "filters.gopher_quality_v1.max_doc_words",
        ),
        (
            {"chains": {"prose": [{"name": "gopher_quality_v1", "params": {"max_avg_word_length": 2}}]}},
            "chains.prose[0].params.max_avg_word_length",
        ),
        ({"tokenizer": "gpt2"}, "tokenizer"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_errors_name_file_and_key(tmp_path, data, key):
    path = write(tmp_path, data)
    with pytest.raises(CleanConfigError) as err:
        load_clean_config(path)
    assert str(err.value).startswith(f"{path}:") and f": {key}: " in str(err.value)
    assert err.value.field == key and err.value.line >= 1


def test_missing_file_and_bad_yaml(tmp_path):
    with pytest.raises(CleanConfigError, match="file not found"):
        load_clean_config(tmp_path / "absent.yaml")
    with pytest.raises(CleanConfigError, match="not valid YAML"):
        load_clean_config(write(tmp_path, "chains: [unclosed"))


def test_fingerprint_changes_with_a_threshold_and_only_then():
    base = load_clean_config(SHIPPED)
    data = yaml.safe_load(SHIPPED.read_text())
    assert CleanConfig.model_validate(data).fingerprint() == base.fingerprint()
    data["filters"]["gopher_quality_v1"]["min_doc_words"] = 40
    assert CleanConfig.model_validate(data).fingerprint() != base.fingerprint()


def test_fingerprint_sees_effective_values_not_spelling():
    # setting a parameter to its default is the same effective configuration
    plain = CleanConfig(chains={"prose": ["gopher_quality_v1"]})
    spelled = CleanConfig(
        filters={"gopher_quality_v1": {"min_doc_words": 50}},
        chains={"prose": [{"name": "gopher_quality_v1"}]},
    )
    assert plain.fingerprint() == spelled.fingerprint()
    assert (
        plain.fingerprint()
        != CleanConfig(chains={"prose": ["gopher_quality_v1"]}, language={"min_score": 0.5}).fingerprint()
    )
