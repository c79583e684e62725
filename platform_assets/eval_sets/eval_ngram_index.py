"""`eval_ngram_index`: the n-gram hashes of every eval item, built once per eval-set version."""

import dagster as dg
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from platform_assets.eval_sets import catalog
from platform_assets.processors import decontam

INDEX_SCHEMA = pa.schema([
    ("n", pa.int16()), ("ngram_hash", pa.uint64()), ("eval_set", pa.string()), ("item_id", pa.string()),
])
NGRAM_SIZES = sorted({p.n for p in decontam.PRESETS.values()})


@dg.asset(
    ins={"eval_items": dg.AssetIn(metadata={"columns": ["eval_set", "item_id", "index_text"]})},
    io_manager_key="lance_io_manager",
    kinds={"numpy"},
    code_version=catalog.catalog_version(),  # the hash of the catalog YAMLs + data files: rebuilt on change
)
def eval_ngram_index(context: dg.AssetExecutionContext, eval_items: pa.Table) -> pa.Table:
    """One n-gram hash of one eval item, per n-gram size a preset uses (13: lm_eval, 12: datatrove)."""
    table = build_index_table(eval_items, NGRAM_SIZES)
    meta: dict[str, object] = {"items": eval_items.num_rows, "catalog_version": catalog.catalog_version()}
    for n in NGRAM_SIZES:
        rows = table.filter(pc.equal(table["n"], n))
        indexed = rows.group_by(["eval_set", "item_id"]).aggregate([]).num_rows
        meta[f"ngrams/n={n}"] = rows.num_rows
        meta[f"items_without_ngrams/n={n}"] = eval_items.num_rows - indexed  # fewer than n words
    context.add_output_metadata(meta)
    return table


def build_index_table(items: pa.Table, sizes: list[int]) -> pa.Table:
    """Rows of INDEX_SCHEMA for `items` (columns eval_set, item_id, index_text)."""
    triples = list(zip(items.column("eval_set").to_pylist(), items.column("item_id").to_pylist(),
                       items.column("index_text").to_pylist(), strict=True))
    parts = []
    for n in sizes:
        index = decontam.NgramIndex.build(triples, n)
        sets, ids = zip(*index.items, strict=True) if index.items else ((), ())
        parts.append(pa.table({
            "n": pa.array(np.full(len(index.hashes), n, np.int16)), "ngram_hash": pa.array(index.hashes),
            "eval_set": pa.array(sets, pa.string()).take(pa.array(index.item)),
            "item_id": pa.array(ids, pa.string()).take(pa.array(index.item)),
        }, schema=INDEX_SCHEMA))
    return pa.concat_tables(parts) if parts else INDEX_SCHEMA.empty_table()


def index_from_table(table: pa.Table, n: int) -> decontam.NgramIndex:
    """The in-memory index of one n-gram size, from rows of INDEX_SCHEMA."""
    rows = table.filter(pc.equal(table["n"], n))
    keys = pc.binary_join_element_wise(rows["eval_set"], rows["item_id"], "\x1f").combine_chunks()
    encoded = pc.dictionary_encode(keys)
    items = [tuple(k.split("\x1f", 1)) for k in encoded.dictionary.to_pylist()]
    hashes = rows["ngram_hash"].combine_chunks().to_numpy(zero_copy_only=False).astype(np.uint64)
    return decontam.NgramIndex.from_arrays(n, hashes, encoded.indices.to_numpy(zero_copy_only=False), items)
