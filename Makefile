# Quick start: `make run` (install, ingest corpus/, serve on 127.0.0.1:8080) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DATA   ?= data
HOST   ?= 127.0.0.1
PORT   ?= 8080
SUDO   := $(shell [ "$$(id -u)" -ne 0 ] && command -v sudo)

.PHONY: run install install-test test chromium bench bench-quick stress quality screenshots lock clean

run: install
	-$(BIN)/archive ingest corpus --data $(DATA)
	$(BIN)/archive serve --data $(DATA) --host $(HOST) --port $(PORT)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet pip==26.3

# torch first: a local CPU build (letting pip choose torch pulls a multi-GB CUDA build).
# constraints.txt pins every transitive dependency to what CI tested (`make lock` rewrites it).
$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install -c constraints.txt torch==2.13.0
	$(BIN)/pip install -c constraints.txt -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml constraints.txt $(VENV)/.installed
	$(BIN)/pip install -c constraints.txt -e '.[test]'
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

# Browser tests save screenshots to a temporary folder; this refreshes the README's on purpose.
screenshots: install-test chromium
	ARCHIVE_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest tests/web/test_browser.py

# Rewrite constraints.txt from the installed environment (after changing a pin in pyproject.toml).
lock: install-test
	$(BIN)/pip freeze --exclude-editable | sed 's/+cpu$$//' > constraints.txt

quality: install-test
	$(BIN)/python -m bench.quality_sweep

clean:
	rm -rf $(VENV) $(DATA) .pytest_cache .ruff_cache
