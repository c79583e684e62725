"""Run untrusted generated Python (a solution and its tests) in a limited subprocess.

Limits: CPU seconds (RLIMIT_CPU) and address space (RLIMIT_AS), set soft = hard inside the child before the
program runs, no core files, a wall-clock timeout (the whole process group is killed), an empty temporary
directory as cwd, a scrubbed environment (only PATH, LANG and a private HOME/TMPDIR: no secrets, no proxy
variables), `python -I -S` (no user site, no site-packages, no PYTHON* variables). No network: the child runs
in its own network namespace (`unshare --net`, or a user namespace where not root) when the kernel allows,
and in every case an audit hook refuses socket creation, connect, bind and subprocess spawning.

The limits are set in the child's prelude rather than in `preexec_fn` (which is unsafe with threads), so
many programs can run at once from a thread pool.
"""

from __future__ import annotations

import functools
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

_PRELUDE = r"""
import resource, sys
cpu, mem = {cpu}, {mem}
resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))
_DENY = ("socket.__new__", "socket.connect", "socket.bind", "socket.getaddrinfo", "subprocess.Popen",
         "os.system", "os.exec", "os.posix_spawn", "os.fork", "os.forkpty", "pty.spawn", "ctypes.dlopen")
def _hook(event, args):
    if event.startswith(_DENY):
        raise PermissionError(f"sandbox: {{event}} is not allowed")
sys.addaudithook(_hook)
del _hook
source = open("program.py", encoding="utf-8").read()
exec(compile(source, "program.py", "exec"), {{"__name__": "__main__"}})
"""


WORKERS = max(2, min(8, 2 * (os.cpu_count() or 1)))  # programs at once: mostly waiting on start-up


@dataclass(frozen=True)
class Limits:
    """Per program: CPU seconds, address space in MiB, wall-clock seconds, output bytes kept."""

    cpu_s: int = 2
    memory_mb: int = 256
    wall_s: float = 5.0
    output_bytes: int = 4096


@dataclass(frozen=True)
class Outcome:
    """How a program ended: `passed` (exit 0), `failed` (non-zero exit, e.g. an AssertionError),
    `timeout` (wall clock), `cpu_limit` (SIGXCPU/SIGKILL from RLIMIT_CPU), `memory_limit` (MemoryError)."""

    status: str
    returncode: int | None
    stderr: str

    @property
    def passed(self) -> bool:
        return self.status == "passed"


@functools.cache
def _isolation() -> tuple[str, ...]:
    """The command prefix that gives the child an empty network namespace, or () where none works."""
    unshare = shutil.which("unshare")
    if not unshare:
        return ()
    for prefix in ((unshare, "--net"), (unshare, "--user", "--map-root-user", "--net")):
        try:
            probe = subprocess.run([*prefix, "true"], capture_output=True, timeout=10, env=_env("/tmp"))
        except (OSError, subprocess.TimeoutExpired):
            continue
        if probe.returncode == 0:
            return prefix
    return ()


def network_isolated() -> bool:
    """Whether programs run in their own network namespace (else only the audit hook refuses sockets)."""
    return bool(_isolation())


def _env(home: str) -> dict[str, str]:
    return {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": home, "TMPDIR": home}


def run(program: str, limits: Limits = Limits()) -> Outcome:
    """Runs `program` (Python source) in the sandbox; returns how it ended. Never raises for the program's
    own failures."""
    with tempfile.TemporaryDirectory(prefix="maslow-sandbox-") as cwd:
        with open(os.path.join(cwd, "program.py"), "w", encoding="utf-8") as f:
            f.write(program)
        prelude = _PRELUDE.format(cpu=limits.cpu_s, mem=limits.memory_mb << 20)
        cmd = [*_isolation(), sys.executable, "-I", "-S", "-c", prelude]
        proc = subprocess.Popen(cmd, cwd=cwd, env=_env(cwd), stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        try:
            _, err = proc.communicate(timeout=limits.wall_s)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            return Outcome("timeout", None, "")
        text = err[-limits.output_bytes:].decode("utf-8", "replace")
        return Outcome(_status(proc.returncode, text), proc.returncode, text)


def _status(code: int, stderr: str) -> str:
    if code == 0:
        return "passed"
    if code in (-signal.SIGXCPU, -signal.SIGKILL, 128 + signal.SIGXCPU, 128 + signal.SIGKILL):
        return "cpu_limit"
    if "MemoryError" in stderr:
        return "memory_limit"
    return "failed"


def run_many(programs: list[str], limits: Limits = Limits(), workers: int | None = None) -> list[Outcome]:
    """`run` over many programs, several at once (threads waiting on subprocesses), in input order."""
    if not programs:
        return []
    workers = workers or WORKERS
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(lambda p: run(p, limits), programs))
