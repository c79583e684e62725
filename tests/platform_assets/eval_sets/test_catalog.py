"""The eval-set catalog: the shipped sample sets, every file format, and errors naming file and field."""

import gzip
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from platform_assets import settings
from platform_assets.eval_sets import catalog
from platform_assets.eval_sets.items import build_items

SPEC = """task: multiple_choice
file: data.jsonl
split: validation
fields: {id: id, question: q, choices: opts, answer: gold}
answer_base: 0
"""
RECORDS = [{"id": "a", "q": "Which colour is the sky?", "opts": ["blue", "green"], "gold": 0},
           {"id": "b", "q": "Which colour is grass?", "opts": ["blue", "green"], "gold": "B"}]


def write(tmp_path, name, body):
    path = tmp_path / f"{name}.yaml"
    path.write_text(body)
    return path


def test_shipped_catalog_has_three_task_types_and_loads_cleanly():
    specs = catalog.load_catalog(settings.SPEC_DIR / catalog.FOLDER)
    assert {s.name: (s.task, s.format) for s in specs.values()} == {
        "maslow_code_tests": ("code", "jsonl"), "maslow_math_word": ("math", "csv"),
        "maslow_science_mc": ("multiple_choice", "jsonl")}
    assert specs["maslow_code_tests"].canary.startswith("MASLOW EVAL CANARY")
    counts = {name: [t.num_rows for t in build_items(s)] for name, s in specs.items()}
    assert counts == {"maslow_code_tests": [6, 0], "maslow_math_word": [10, 0], "maslow_science_mc": [12, 0]}


@pytest.mark.parametrize("fmt", ["jsonl", "jsonl.gz", "parquet", "csv"])
def test_every_format_reads_the_same_items(tmp_path, fmt):
    data = tmp_path / f"set.{fmt}"
    if fmt == "parquet":
        pq.write_table(pa.Table.from_pylist([{**r, "gold": str(r["gold"])} for r in RECORDS]), data)
    elif fmt == "csv":
        data.write_text('id,q,opts,gold\na,Which colour is the sky?,"[""blue"", ""green""]",0\n'
                        'b,Which colour is grass?,"[""blue"", ""green""]",B\n')
    else:
        lines = "".join(json.dumps(r) + "\n" for r in RECORDS)
        data.write_bytes(gzip.compress(lines.encode()) if fmt.endswith("gz") else lines.encode())
    spec = catalog.load_spec(write(tmp_path, "mc", SPEC.replace("data.jsonl", data.name)))
    items, errors = build_items(spec)
    assert errors.num_rows == 0
    got = items.select(["eval_set", "item_id", "split", "choices", "answer", "answer_index"]).to_pylist()
    assert got == [
        {"eval_set": "mc", "item_id": "a", "split": "validation", "choices": ["blue", "green"],
         "answer": "blue", "answer_index": 0},
        {"eval_set": "mc", "item_id": "b", "split": "validation", "choices": ["blue", "green"],
         "answer": "green", "answer_index": 1}]
    assert items["index_text"][0].as_py() == "Which colour is the sky?\nblue\ngreen\nblue"


@pytest.mark.parametrize(("body", "message"), [
    (SPEC.replace("split: validation\n", ""), "split: Field required"),
    (SPEC.replace("question: q", "question: q, prompt: p"), "fields: map exactly one of"),
    (SPEC.replace("task: multiple_choice", "task: essay"), "task: Input should be"),
    (SPEC.replace("choices: opts, ", ""), "task 'multiple_choice' needs fields.choices"),
    (SPEC.replace("id: id", "id: id, extra: x"), "fields.extra: Extra inputs are not permitted"),
    (SPEC.replace("data.jsonl", "missing.jsonl"), "file: 'missing.jsonl' does not exist"),
    (SPEC.replace("data.jsonl", "data.txt"), "cannot infer the format of 'data.txt'"),
    ("task: [unclosed", "not valid YAML"),
    (SPEC.replace("answer_base: 0", "answer_base: 2"), "answer_base: Input should be 0 or 1"),
    (SPEC.replace("task: multiple_choice", "task: math").replace("choices: opts, ", ""),
     "answer_base: only a multiple_choice task has answer indices"),
])
def test_invalid_spec_names_file_and_field(tmp_path, body, message):
    (tmp_path / "data.jsonl").write_text("")
    (tmp_path / "data.txt").write_text("")
    path = write(tmp_path, "bad", body)
    with pytest.raises(catalog.CatalogError) as err:
        catalog.load_spec(path)
    assert str(err.value).startswith(f"{path}:") and message in str(err.value)


def test_catalog_version_changes_with_a_data_file(tmp_path):
    (tmp_path / "d.jsonl").write_text(json.dumps(RECORDS[0]) + "\n")
    write(tmp_path, "mc", SPEC.replace("data.jsonl", "d.jsonl"))
    before = catalog.catalog_version(tmp_path)
    assert catalog.catalog_version(tmp_path) == before
    (tmp_path / "d.jsonl").write_text(json.dumps(RECORDS[1]) + "\n")
    assert catalog.catalog_version(tmp_path) != before
