"""`document_embeddings`: a vector per clean document, indexed IVF_PQ in Lance for "more like this".

Optional (the `embeddings` extra for the default `minilm_v1` encoder): not in the daily job, not under
automation and not in `maslow demo`; materialize it from the UI, or with the `hashing_v1` encoder
(`MASLOW_EMBEDDER=hashing_v1`) where the extra is not installed. Query it with `maslow similar`.
"""

from collections.abc import Iterator

import dagster as dg
import pyarrow as pa

from platform_assets.partitions import DAILY_METADATA, daily_partitions
from platform_assets.policies import OPTIONAL_TAG
from platform_assets.processors.embeddings import Encoder, vector_array
from resources.embedder import EmbedderResource

VECTOR_INDEX = {"column": "vector", "metric": "cosine"}
BATCH_ROWS = 512


def output_schema(encoder: Encoder) -> pa.Schema:
    return pa.schema([
        pa.field("doc_id", pa.string()), pa.field("day", pa.string()), pa.field("domain", pa.string()),
        pa.field("encoder", pa.string()), pa.field("vector", pa.list_(pa.float32(), encoder.dim)),
    ])


def embed_batches(reader: pa.RecordBatchReader, encoder: Encoder, rows: int = BATCH_ROWS
                  ) -> Iterator[pa.RecordBatch]:
    """Streams (doc_id, day, domain, text) batches into embedding batches; only `rows` texts at a time."""
    schema = output_schema(encoder)
    for batch in reader:
        for start in range(0, batch.num_rows, rows):
            part = batch.slice(start, rows)
            vectors = encoder.encode(part.column("text"))
            yield pa.RecordBatch.from_arrays([
                part.column("doc_id"), part.column("day"), part.column("domain"),
                pa.array([encoder.name] * part.num_rows, pa.string()), vector_array(vectors),
            ], schema=schema)


@dg.asset(
    key="document_embeddings",
    partitions_def=daily_partitions,
    metadata={**DAILY_METADATA, "vector_index": VECTOR_INDEX},
    ins={"clean_documents": dg.AssetIn(key="clean_documents",
                                       metadata={"columns": ["doc_id", "day", "domain", "text"]})},
    io_manager_key="lance_io_manager",
    kinds={"python"},
    tags={OPTIONAL_TAG: "embeddings"},
    code_version="embeddings_v1",
)
def document_embeddings(
    context: dg.AssetExecutionContext, embedder: EmbedderResource, clean_documents: pa.RecordBatchReader
) -> dg.Output[pa.RecordBatchReader]:
    """One unit-length vector per clean document (doc_id, day, domain, encoder, vector), streamed.

    The IO manager keeps an IVF_PQ index (cosine) on `vector`: built once the dataset holds enough rows,
    then refreshed after every write; `maslow similar <doc_id>` answers "more like this" from it.
    """
    encoder = embedder.get_encoder()
    batches = embed_batches(clean_documents, encoder)
    reader = pa.RecordBatchReader.from_batches(output_schema(encoder), batches)
    return dg.Output(reader, metadata={"embeddings/encoder": encoder.name, "embeddings/dim": encoder.dim})
