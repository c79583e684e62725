"""Writer processes racing on one Lance dataset through the tables layer, and `run_together`, which starts
them. No Dagster here: each spawned writer imports this module and `resources.lance_writes` only."""


def run_together(target, args: list[tuple], timeout: float = 600) -> list[int | None]:
    """Runs `target(*a, barrier)` for each `a` in its own spawned process, all released by one barrier so
    their writes really overlap; returns the exit codes. Spawned processes inherit os.environ."""
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(len(args))
    procs = [ctx.Process(target=target, args=(*a, barrier)) for a in args]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=timeout)
    return [p.exitcode for p in procs]


def replace_partition_together(uri: str, key: str, barrier) -> None:
    """A tables-layer writer process: 10 rows of partition `key`, written once every writer is ready."""
    import pyarrow as pa

    from resources import lance_writes

    table = pa.table({"day": [key] * 10, "id": [f"{key}-{i}" for i in range(10)]})
    barrier.wait()
    reader = pa.RecordBatchReader.from_batches(table.schema, table.to_batches())
    lance_writes.replace_partitions(uri, reader, ["day"], [(key,)])


def replace_same_partition_rounds(uri: str, writer: int, rounds: int, barrier) -> None:
    """A tables-layer writer process: each round, 10 rows of the new partition `r<round>` (ids name the
    writer), written when every writer of the round is ready."""
    import pyarrow as pa

    from resources import lance_writes

    for r in range(rounds):
        key = f"r{r}"
        table = pa.table({"day": [key] * 10, "id": [f"w{writer}-{i}" for i in range(10)]})
        barrier.wait(timeout=120)
        reader = pa.RecordBatchReader.from_batches(table.schema, table.to_batches())
        lance_writes.replace_partitions(uri, reader, ["day"], [(key,)])
