"""Small assets shared by the IO manager tests (importable by spawned writer processes)."""


import time

import dagster as dg
import pyarrow as pa

DAYS = dg.DailyPartitionsDefinition(start_date="2026-11-01")
META = {"partition_expr": "day"}
_START: list = []  # a multiprocessing.Barrier the writers pass together right before their write


def rows_for(day: str, n: int | None = None) -> pa.Table:
    n = int(day[-2:]) * 10 if n is None else n
    return pa.table({"id": [f"{day}-{i}" for i in range(n)], "value": [float(i) for i in range(n)]})


@dg.asset(partitions_def=DAYS, metadata=META)
def events(context: dg.AssetExecutionContext) -> pa.Table:
    if _START:
        _START[0].wait(timeout=300)
    return rows_for(context.partition_key)


@dg.asset(partitions_def=DAYS, metadata=META)
def event_stream(context: dg.AssetExecutionContext) -> pa.RecordBatchReader:
    """Streams slowly when SLOW_STREAM is set, so a test can kill the writer mid-write."""
    import os

    slow = float(os.environ.get("SLOW_STREAM", "0"))
    table = rows_for(context.partition_key, 50_000)

    marker = os.environ.get("STREAM_MARKER")

    def batches():
        for i, b in enumerate(table.to_batches(max_chunksize=1000)):
            if i == 1 and marker:
                open(marker, "w").close()  # the writer is now inside the Lance write
            time.sleep(slow)
            yield b

    return pa.RecordBatchReader.from_batches(table.schema, batches())


def materialize_day(root: str, day: str, asset: str = "events", barrier=None) -> bool:
    from resources.lance_io_manager import LanceIOManager

    _START[:] = [barrier] if barrier is not None else []
    target = {"events": events, "event_stream": event_stream}[asset]
    resources = {"io_manager": LanceIOManager(root_uri=root)}
    result = dg.materialize([target], partition_key=day, resources=resources)
    return result.success


def write_day_together(root: str, day: str, barrier) -> None:
    """A writer process: materializes `day` of `events` when every writer holds its rows; exit 1 = failed."""
    import sys

    sys.exit(0 if materialize_day(root, day, barrier=barrier) else 1)
