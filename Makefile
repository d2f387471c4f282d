# Quick start: `make run` (install, ingest corpus/, serve on 127.0.0.1:8080) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DATA   ?= data
HOST   ?= 127.0.0.1
PORT   ?= 8080
SUDO   := $(shell [ "$$(id -u)" -ne 0 ] && command -v sudo)

.PHONY: run install install-test test chromium bench bench-quick stress quality clean

run: install
	-$(BIN)/archive ingest corpus --data $(DATA)
	$(BIN)/archive serve --data $(DATA) --host $(HOST) --port $(PORT)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# torch first: a local CPU build (letting pip choose torch pulls a multi-GB CUDA build).
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install torch==2.13.0
	$(BIN)/pip install -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

chromium:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update && $(SUDO) apt-get install -y chromium; }

test: install-test chromium
	$(BIN)/ruff check archive indexer web tests bench
	$(BIN)/python -m pytest

bench: install-test
	$(BIN)/python -m bench.run --scale full

bench-quick: install-test
	$(BIN)/python -m bench.run --scale quick

# The 2-minute load test while an ingest runs, the 200 MB file, and the stress-marked tests.
stress: install-test
	$(BIN)/python -m bench.stress
	$(BIN)/python -m bench.stress --big-file
	$(BIN)/python -m pytest -m stress

quality: install-test
	$(BIN)/python -m bench.quality_sweep

clean:
	rm -rf $(VENV) $(DATA) .pytest_cache .ruff_cache
