"""kill -9 while a raw_media partition is being rewritten: the previous version stays intact and readable."""

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import lance
import numpy as np
import pytest
from PIL import Image

from resources import lance_scans

pytestmark = [pytest.mark.slow, pytest.mark.integration]
REPO = Path(__file__).resolve().parent.parent
DAY = "2026-02-10"


def _land(folder: Path, start: int, count: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(start)
    lines = []
    for i in range(start, start + count):
        buf = io.BytesIO()
        Image.fromarray(rng.integers(0, 255, (96, 128, 3), dtype=np.uint8)).save(buf, "PNG")
        (folder / f"img-{i:05d}.png").write_bytes(buf.getvalue())
        lines.append(f'{{"file": "img-{i:05d}.png", "caption": "random noise picture number {i}"}}\n')
    with open(folder / f"captions-{start}.jsonl", "w") as fh:
        fh.writelines(lines)


def _run(home: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MASLOW_", "DAGSTER_"))}
    env.update(MASLOW_HOME=str(home), DAGSTER_HOME=str(home / "dagster"), MASLOW_SPECS=str(home / "specs"))
    return subprocess.Popen([sys.executable, "-m", "tests.media_fault_runner", DAY], cwd=REPO, env=env,
                            start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def test_kill_during_a_media_partition_write_leaves_the_previous_version(tmp_path):
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "sources.yaml").write_text("sources:\n  pics: {modality: image}\n")
    folder = tmp_path / "landing" / "pics" / DAY
    _land(folder, 0, 40)
    first = _run(tmp_path)
    assert first.wait(300) == 0, first.stdout.read().decode()[-3000:]
    uri = str(tmp_path / "lake" / "raw_media.lance")
    before = lance.dataset(uri)
    version, digest = before.version, lance_scans.partition_hash(before, ["day"], [(DAY,)])
    files_before = len(list((Path(uri) / "data").iterdir()))

    _land(folder, 40, 600)  # a bigger day: the rewrite streams for a while before its one commit
    victim = _run(tmp_path)
    deadline = time.time() + 300
    while len(list((Path(uri) / "data").iterdir())) == files_before:  # the new fragments are being written
        assert victim.poll() is None and time.time() < deadline, "the rewrite never started writing"
        time.sleep(0.02)
    os.killpg(victim.pid, signal.SIGKILL)
    victim.wait()

    after = lance.dataset(uri)
    assert after.version == version, "the kill landed after the commit"
    assert after.count_rows() == 40
    assert lance_scans.partition_hash(after, ["day"], [(DAY,)]) == digest  # bytes included
    name = after.take([0], columns=["file"]).column("file")[0].as_py().rsplit("/", 1)[-1]
    assert after.take_blobs("media", indices=[0])[0].read() == (folder / name).read_bytes()

    rerun = _run(tmp_path)
    assert rerun.wait(600) == 0, rerun.stdout.read().decode()[-3000:]
    assert lance.dataset(uri).count_rows() == 640
