"""A task function in a module that imports nothing heavy, so a test can see what a pool worker loaded."""

import sys

import pyarrow as pa


def worker_state(batch: pa.RecordBatch) -> tuple[bool, bool]:
    """Whether this worker re-ran the parent's main module, and whether it imported dagster."""
    return hasattr(sys.modules["__main__"], "__file__"), "dagster" in sys.modules
