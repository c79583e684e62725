"""`maslow label-studio` (`make label-studio`): run Label Studio from its own venv on 127.0.0.1 with SQLite.

Never `label-studio --version`: it prints the version and then starts a server on 0.0.0.0:8080. The
server is started with the version check and analytics off, so it makes no outside calls, and with the
legacy token auth on, so `Authorization: Token <MASLOW_LABEL_STUDIO_TOKEN>` works for the REST API.
The integration and browser tests start it through `start` too.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import subprocess
import time
from pathlib import Path
from urllib.parse import urlparse

import httpx

from platform_assets import settings

DEFAULT_USER = "admin@maslow.local"
READY_TIMEOUT_S = 900


class LabelStudioMissing(RuntimeError):
    """Label Studio's venv is not installed (`make label-studio-install`)."""


def executable() -> Path:
    path = settings.label_studio_venv() / "bin" / "label-studio"
    if not path.exists():
        raise LabelStudioMissing(f"{path} not found: run `make label-studio-install`")
    return path


def environment() -> dict[str, str]:
    return {
        **os.environ,
        "LATEST_VERSION_CHECK": "false",
        "COLLECT_ANALYTICS": "false",
        "SENTRY_DSN": "",
        "FRONTEND_SENTRY_DSN": "",
        "LABEL_STUDIO_LOCAL_FILES_SERVING_ENABLED": "false",
        "DJANGO_DB": "sqlite",
        "PYTHONWARNINGS": "ignore",
    }


def template_db() -> Path:
    """A migrated, user-less SQLite database next to the venv, made once (`make label-studio-install`):
    a new data dir starts from a copy instead of running Label Studio's migrations again (minutes)."""
    path = settings.label_studio_venv().parent / "template" / "label_studio.sqlite3"
    if not path.exists():
        folder = path.parent / "building"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        # `user` prints a user's details, after applying the migrations every command applies first
        subprocess.run(
            [str(executable()), "user", "--data-dir", str(folder), "--username", "nobody@maslow.local"],
            cwd=folder,
            env=environment(),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        (folder / "label_studio.sqlite3").rename(path)
        shutil.rmtree(folder, ignore_errors=True)
    return path


def start(
    data_dir: Path,
    port: int,
    token: str,
    password: str,
    username: str = DEFAULT_USER,
    log: Path | None = None,
) -> subprocess.Popen:
    """Starts the server (its own process group, SIGINT/SIGTERM honoured) and returns at once."""
    if len(token) != 40:
        raise ValueError("the Label Studio token must be 40 characters (e.g. `openssl rand -hex 20`)")
    data_dir.mkdir(parents=True, exist_ok=True)
    if not (data_dir / "label_studio.sqlite3").exists():
        shutil.copyfile(template_db(), data_dir / "label_studio.sqlite3")
    command = [
        str(executable()),
        "start",
        "--no-browser",
        "--internal-host",
        "127.0.0.1",
        "--port",
        str(port),
        "--data-dir",
        str(data_dir),
        # `--opt=value`: a generated password may start with "-", which argparse would read as an option
        f"--username={username}",
        f"--password={password}",
        f"--user-token={token}",
        "--enable-legacy-api-token",
    ]
    out = open(log, "ab") if log else None  # noqa: SIM115 - the child owns it
    return subprocess.Popen(
        command,
        cwd=data_dir,
        env=environment(),
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=_default_signals,
    )


def _default_signals() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def wait_ready(url: str, token: str, proc: subprocess.Popen, timeout: float = READY_TIMEOUT_S) -> float:
    """Seconds until `/api/current-user/whoami` answers 200 with the token; raises if the server died."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"Label Studio exited with code {proc.returncode} before it was ready")
        try:
            reply = httpx.get(
                f"{url}/api/current-user/whoami", headers={"Authorization": f"Token {token}"}, timeout=5
            )
            if reply.status_code == 200:
                return time.monotonic() - started
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise TimeoutError(f"Label Studio at {url} not ready after {timeout:.0f} s")


def stop(proc: subprocess.Popen, timeout: float = 30) -> None:
    """SIGTERM to the server's process group, then SIGKILL if it lingers."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout)


def _token(data_dir: Path) -> str:
    """MASLOW_LABEL_STUDIO_TOKEN, else the token this data dir was first started with (Label Studio sets a
    user's token only when it creates the user), else a new one, remembered in `<data dir>/maslow-token`."""
    stored = data_dir / "maslow-token"
    known = stored.read_text().strip() if stored.exists() else None
    token = settings.current().label_studio_token or known or secrets.token_hex(20)
    if known and token != known:
        raise SystemExit(
            f"{data_dir} was started with another token (see {stored}); unset "
            "MASLOW_LABEL_STUDIO_TOKEN or use a new --data-dir"
        )
    data_dir.mkdir(parents=True, exist_ok=True)
    stored.write_text(token)
    stored.chmod(0o600)
    return token


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="SQLite database and uploads (default $MASLOW_HOME/label-studio)",
    )


def run(args: argparse.Namespace) -> int:
    url = settings.current().label_studio_url
    port = urlparse(url).port or 8080
    data_dir = args.data_dir or settings.maslow_home() / "label-studio"
    token = _token(data_dir)
    password = settings.current().label_studio_password or secrets.token_urlsafe(12)
    proc = start(data_dir, port, token, password)
    try:
        wait_ready(url, token, proc)
        print(
            f"Label Studio at {url} (data in {data_dir})\n  log in: {DEFAULT_USER} / {password} "
            f"(a new password applies only to a new data dir)\n"
            f"  export MASLOW_LABEL_STUDIO_URL={url} MASLOW_LABEL_STUDIO_TOKEN={token}\n"
            "Ctrl-C stops it.",
            flush=True,
        )
        proc.wait()
    except KeyboardInterrupt:
        pass
    finally:
        stop(proc)
    return 0
