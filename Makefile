# The two commands: `make run` serves Tasklane with demo data; `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint install install-dev screenshot bench reliability clean

# The SDK (clients/python, its own distribution) and the server that depends on it.
$(VENV)/.installed: pyproject.toml clients/python/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e clients/python -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e clients/python -e ".[dev]"
	touch $@

$(VENV)/.installed-bench: $(VENV)/.installed-dev pyproject.toml
	$(BIN)/pip install --quiet -e clients/python -e ".[dev,bench]"
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: $(VENV)/.installed
	$(BIN)/tasklane serve --demo

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src clients/python/src tests bench
	$(BIN)/ruff format --check src clients/python/src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	scripts/test-browser.sh
	pg="$$(scripts/test-postgres.sh)" && redis="$$(scripts/test-redis.sh)" && \
	TASKLANE_TEST_POSTGRES="$$pg" TASKLANE_TEST_REDIS="$$redis" $(BIN)/pytest -n 2 --dist loadfile

screenshot: $(VENV)/.installed-dev
	scripts/test-browser.sh
	$(BIN)/python scripts/screenshot.py

# Benchmarks on SQLite and PostgreSQL; results go to bench/results/ (see bench/README.md).
# Add a benchmark as one more `&& $(BIN)/python -m bench.…` line.
bench: $(VENV)/.installed-bench
	pg="$$(scripts/test-postgres.sh)" && export TASKLANE_BENCH_POSTGRES="$$pg" && \
	$(BIN)/python -m bench.reset \
	&& { command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }; } && $(BIN)/python -m bench.api \
	&& npm ci --prefix bench/loadclient --no-audit --no-fund && { command -v redis-server >/dev/null || scripts/test-redis.sh >/dev/null; } && $(BIN)/python -m bench.fanout

# The long fault, soak and hostile-input runs; figures in bench/results/reliability-<date>.md.
reliability: $(VENV)/.installed-bench
	pg="$$(scripts/test-postgres.sh)" && redis="$$(scripts/test-redis.sh)" && \
	TASKLANE_TEST_POSTGRES="$$pg" TASKLANE_TEST_REDIS="$$redis" TASKLANE_BENCH_POSTGRES="$$pg" \
	$(BIN)/python -m bench.reliability

clean:
	rm -rf $(VENV) .cache .pytest_cache .mypy_cache .ruff_cache
