import pickle

import pydantic
import pytest

from platform_assets.specs import FieldProblem, SpecError, load_yaml_model


class Part(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")
    name: str
    ratio: float = pydantic.Field(gt=0)


class Recipe(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")
    name: str = "r"
    parts: list[Part]
    seed: int = 1

    @pydantic.model_validator(mode="after")
    def _unique(self):
        names = [p.name for p in self.parts]
        if len(set(names)) != len(names):
            raise FieldProblem(("parts", len(names) - 1, "name"), "names must be unique")
        return self


class RecipeError(SpecError):
    pass


def test_every_problem_names_file_line_and_field(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text("seed: x\nparts:\n  - name: a\n    ratio: 1\n"
                    "  - name: b\n    ratio: -1\n    colour: red\n")
    with pytest.raises(RecipeError) as err:
        load_yaml_model(path, Recipe, error=RecipeError)
    assert str(err.value).splitlines() == [
        f"{path}:1: seed: Input should be a valid integer, unable to parse string as an integer",
        f"{path}:6: parts[1].ratio: Input should be greater than 0",
        f"{path}:7: parts[1].colour: Extra inputs are not permitted",
    ]
    assert (err.value.line, err.value.field, len(err.value.problems)) == (1, "seed", 3)
    assert str(pickle.loads(pickle.dumps(err.value))) == str(err.value)


def test_a_validator_can_blame_a_nested_field(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text("parts:\n  - {name: a, ratio: 1}\n  - name: a\n    ratio: 2\n")
    with pytest.raises(SpecError, match=r"r.yaml:3: parts\[1\].name: names must be unique"):
        load_yaml_model(path, Recipe)


def test_embedded_yaml_counts_lines_of_the_whole_file(tmp_path):
    path = tmp_path / "m.sql"
    with pytest.raises(SpecError, match=r"m.sql:12: parts\[0\].ratio: "):
        load_yaml_model(path, Recipe, text="parts:\n  - name: a\n    ratio: 0\n", first_line=10)


@pytest.mark.parametrize("text, message", [
    ("parts: [unclosed\n", r"r.yaml:2: \(yaml\): not valid YAML: expected ',' or ']'"),
    ("- a\n- b\n", r"r.yaml:1: \(top level\): expected a mapping of fields, got list"),
    ("", r"r.yaml:1: parts: Field required"),
])
def test_syntax_shape_and_missing_fields(tmp_path, text, message):
    path = tmp_path / "r.yaml"
    path.write_text(text)
    with pytest.raises(SpecError, match=message):
        load_yaml_model(path, Recipe)


def test_missing_file_and_extra_fields(tmp_path):
    with pytest.raises(SpecError, match=r"absent.yaml: \(file\): file not found"):
        load_yaml_model(tmp_path / "absent.yaml", Recipe)
    path = tmp_path / "named.yaml"
    path.write_text("parts: [{name: a, ratio: 1}]\n")
    assert load_yaml_model(path, Recipe, extra={"name": path.stem}).name == "named"
    assert str(SpecError.at(path, ("parts", 0, "ratio"), "too big")) == f"{path}:1: parts[0].ratio: too big"
