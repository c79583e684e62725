"""Runs whose process died: a killed `maslow` command leaves its in-process run STARTED forever (run
monitoring sees only runs a run launcher started), so the runner marks such runs failed before it starts."""

from __future__ import annotations

import os
import socket

import dagster as dg
import psutil

PID_TAG, HOST_TAG = "maslow/pid", "maslow/host"


def run_tags() -> dict[str, str]:
    """Tags that let a later command tell whether this process is still alive."""
    return {PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()}


def fail_orphaned_runs(instance: dg.DagsterInstance) -> list[str]:
    """Marks STARTED runs of this host whose process is gone as failed; returns their ids."""
    host = socket.gethostname()
    failed = []
    for run in instance.get_runs(filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED])):
        pid = run.tags.get(PID_TAG)
        if run.tags.get(HOST_TAG) == host and pid and pid.isdigit() and not psutil.pid_exists(int(pid)):
            instance.report_run_failed(run, f"the process that ran it (pid {pid}) is gone")
            failed.append(run.run_id)
    return failed
