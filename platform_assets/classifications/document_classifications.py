"""`document_classifications`: every clean document's classifier scores, labels and difficulty features."""

import hashlib
import itertools
from collections.abc import Iterator

import dagster as dg
import pyarrow as pa

from platform_assets import allocator, settings
from platform_assets.classifications.earlier_labels import keep_earlier_labels
from platform_assets.partitions import DAILY_METADATA, DAY_COLUMN, daily_partitions
from platform_assets.processors.classifiers import ngram_model, prompts, stack
from platform_assets.processors.classifiers.summary import Summary
from platform_assets.processors.hashing import hash64, unit_interval
from resources import lance_writes
from resources.executor import BatchExecutor
from resources.lance_io_manager import LanceIOManager
from resources.llm import LLMResource


def prompt_templates() -> dict[str, prompts.PromptTemplate]:
    folder = settings.spec_dir() / "prompts"
    return prompts.load_templates(folder) if folder.exists() else {}


def _code_version() -> str:
    versions = [t.cache_version for t in prompt_templates().values()]
    return hashlib.sha256(
        "|".join([stack.stack_version(stack.DEFAULT_CLASSIFIERS), *versions]).encode()
    ).hexdigest()[:12]


class ClassificationsConfig(dg.Config):
    classifiers: list[str] = list(stack.DEFAULT_CLASSIFIERS)
    prompt_classifiers: list[str] = ["llm_edu_v1"]
    llm_sample_fraction: float = 1.0  # documents picked by doc_id hash, so re-runs ask for the same ones
    llm_max_docs: int = 200  # per partition, in scan order
    batch_rows: int = 2048
    # A spawn pool takes seconds to start, so it pays off only on big partitions. Measured on 2 cores with
    # web-length documents, whole runs: 20k docs 3.4 s in-process vs 6.3 s on the pool; 100k docs 16.8 s
    # vs 12.9 s; the lines cross near 55k.
    executor_min_rows: int = 50_000


@dg.asset(
    key="document_classifications",
    partitions_def=daily_partitions,
    metadata=DAILY_METADATA,
    ins={
        "clean_documents": dg.AssetIn(
            key="clean_documents", metadata={"columns": ["doc_id", "day", "url", "text"]}
        ),
        "quality_model": dg.AssetIn(key="quality_model"),
    },
    io_manager_key="lance_io_manager",
    kinds={"python"},
    code_version=_code_version(),
)
def document_classifications(
    context: dg.AssetExecutionContext,
    config: ClassificationsConfig,
    llm: LLMResource,
    executor: dg.ResourceParam[BatchExecutor],
    lance_io_manager: dg.ResourceParam[LanceIOManager],
    clean_documents: pa.RecordBatchReader,
    quality_model: pa.Table,
) -> dg.Output[lance_writes.Fragments]:
    """One row per clean document (doc_id, day): `score__<name>`, `label__<name>` and `<name>__<feature>`.

    Classifiers only score; thresholds are applied downstream (filters, mixture SQL). The in-process
    stack runs on the `executor` (every core) for partitions of at least `executor_min_rows` documents;
    smaller ones run here, where starting a pool would cost more than it saves. Prompt-based classifiers
    run here on at most `llm_max_docs` documents per day, and are skipped without an endpoint. A document
    whose request fails keeps the label an earlier run stored for it (its `__error` says so).
    The rows stream into the output's uncommitted fragments while `Summary` takes its metadata, so no
    process holds the day; the IO manager commits the fragments as the partition, in one commit.
    """
    allocator.install_streaming()  # this process streams the day: freed Lance/Arrow buffers leave RSS
    model = ngram_model.from_table(quality_model)
    classifiers = stack.build_stack(config.classifiers, model)
    templates = [prompt_templates()[name] for name in config.prompt_classifiers]
    client = llm.get_client()
    budget = [config.llm_max_docs]
    source = rebatch(clean_documents, config.batch_rows)
    head = take_rows(source, config.executor_min_rows)
    to_score, originals = itertools.tee(itertools.chain(head, source))
    args = (tuple(config.classifiers), quality_model)
    big = sum(b.num_rows for b in head) >= config.executor_min_rows
    scored = (executor.map_batches(stack.classify_on_worker, to_score, *args)
              if big else (stack.classify_on_worker(b, *args) for b in to_score))
    schema = stack.output_schema(classifiers, [pa.field("doc_id", pa.string()), pa.field("day", pa.string())])
    for t in templates:
        schema = pa.schema(list(schema) + list(prompts.prompt_schema(t)))
    day, earlier = context.partition_key, lance_io_manager.open(context.assets_def.key)
    summary, kept = Summary(schema.names, model.threshold), [0]

    def labelled() -> Iterator[pa.RecordBatch]:
        for s, b in zip(scored, originals, strict=True):
            out = add_prompt_columns(s, b, templates, client, config.llm_sample_fraction, budget)
            table, n = keep_earlier_labels(pa.Table.from_batches([out], schema), earlier, day, templates)
            kept[0] += n
            yield from table.to_batches()

    written = write_summarized(lance_io_manager.uri_for(context.assets_def.key),
                               pa.RecordBatchReader.from_batches(schema, labelled()), day, summary,
                               lance_io_manager.storage_options)
    metadata = {**summary.metadata(), "quality_model/version": model.version}
    if templates:
        metadata["llm/endpoint"] = (
            "configured" if client else "skipped: no endpoint configured (llm.base_url)"
        )
        if client:
            metadata.update({**client.usage.as_metadata(), "llm/earlier_labels_kept": kept[0]})
    return dg.Output(written, metadata=metadata)


def write_summarized(uri: str, reader: pa.RecordBatchReader, day: str, summary: Summary,
                     storage_options: dict | None = None) -> lance_writes.Fragments:
    """The day's rows streamed into uncommitted fragments of the dataset at `uri`, each batch taken by
    `summary` on its way: memory holds the batches in flight, never the day."""

    def summarized() -> Iterator[pa.RecordBatch]:
        for batch in reader:
            summary.update(batch)
            yield batch

    return lance_writes.write_partition(uri, pa.RecordBatchReader.from_batches(reader.schema, summarized()),
                                        [DAY_COLUMN], (day,), storage_options)


def rebatch(reader: pa.RecordBatchReader, rows: int):
    """Batches of at most `rows` rows, streamed."""
    for batch in reader:
        for start in range(0, batch.num_rows, rows):
            yield batch.slice(start, rows)


def take_rows(batches, rows: int) -> list[pa.RecordBatch]:
    """Batches from the front of `batches` until they hold `rows` rows (or the stream ends)."""
    head, seen = [], 0
    while seen < rows:
        batch = next(batches, None)
        if batch is None:
            break
        head.append(batch)
        seen += batch.num_rows
    return head


def llm_selection(doc_ids: pa.Array, fraction: float, budget: list[int]) -> list[bool]:
    """Documents whose doc_id hash falls in the first `fraction` of the range, while `budget[0]` lasts."""
    if budget[0] <= 0:
        return [False] * len(doc_ids)
    picked = []
    for score in unit_interval(hash64((str(d) for d in doc_ids.to_pylist()), count=len(doc_ids))):
        take = bool(budget[0] > 0 and score < fraction)
        budget[0] -= take
        picked.append(take)
    return picked


def add_prompt_columns(
    out: pa.RecordBatch, batch: pa.RecordBatch, templates, client, fraction: float, budget: list[int]
) -> pa.RecordBatch:
    """The stack's output `out` for `batch`, with each prompt template's columns added.

    Only the texts of documents sampled for a request become Python strings (none without an endpoint or
    once the budget is spent): this runs in the asset's process beside the pool's workers.
    """
    if not templates:
        return out
    n = batch.num_rows
    cols = dict(zip(out.schema.names, out.columns, strict=True))
    selected = llm_selection(batch.column("doc_id"), fraction, budget) if client else [False] * n
    texts: list[str | None] = [None] * n
    picked = [i for i in range(n) if selected[i]]
    for i, text in zip(picked, batch.column("text").take(pa.array(picked, pa.int64())).to_pylist(),
                       strict=True):
        texts[i] = text
    for t in templates:
        cols.update(prompts.prompt_columns(t, client, texts, selected))
    return pa.RecordBatch.from_pydict(cols)
