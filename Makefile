# Simpul — two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export SIMPUL_DATA_DIR ?= $(CURDIR)/var

.PHONY: run test setup venv lint check pytest bench bench-smoke clean messages

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null || \
	  { echo "Simpul needs Python 3.11 or newer: install it, or run PYTHON=python3.12 make run"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q -e '.[dev]'
	@touch $@

venv: $(VENV)/.installed

# Migrate, load wilayah and the West Sumatra demo; every step is idempotent and fast when done.
setup: $(VENV)/.installed
	SIMPUL_DEMO=1 SIMPUL_DEBUG=$${SIMPUL_DEBUG-1} $(BIN)/simpul migrate --no-input -v 0
	SIMPUL_DEMO=1 SIMPUL_DEBUG=$${SIMPUL_DEBUG-1} $(BIN)/simpul regions load
	SIMPUL_DEMO=1 SIMPUL_DEBUG=$${SIMPUL_DEBUG-1} $(BIN)/simpul demo

run: setup
	SIMPUL_DEMO=1 SIMPUL_DEBUG=$${SIMPUL_DEBUG-1} $(BIN)/simpul serve --port $(PORT)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check: $(VENV)/.installed-dev
	SIMPUL_TESTING=1 $(BIN)/simpul check --fail-level WARNING
	SIMPUL_TESTING=1 $(BIN)/simpul makemigrations --check --dry-run

pytest: $(VENV)/.installed-dev
	@command -v chromium >/dev/null 2>&1 || test -x /usr/bin/chromium || \
	  echo "make test: chromium not found, browser tests will not run (apt-get install chromium; .ci/run installs it)"
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint check pytest bench-smoke

bench: $(VENV)/.installed-dev
	$(BIN)/python bench/run.py $(BENCH_ARGS)

bench-smoke: $(VENV)/.installed-dev
	$(BIN)/python bench/run.py --smoke

messages: $(VENV)/.installed-dev
	cd src/simpul && ../../$(BIN)/simpul makemessages -l en --no-obsolete --no-location && ../../$(BIN)/simpul compilemessages

clean:
	rm -rf $(VENV) var
