# The two commands: `make run` serves Tasklane with demo data; `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

# Every install takes its versions from the lock; the pyproject files hold ranges. pip
# installs uv (at the lock's version) into the environment, and uv installs the rest:
# the same packages, resolved the same way, in seconds rather than minutes.
LOCK := requirements/lock.txt
INSTALL := $(BIN)/uv pip install --quiet --python $(BIN)/python -c $(LOCK)

.PHONY: run test lint install install-dev screenshot bench reliability lock clean

# The SDK (clients/python, its own distribution) and the server that depends on it.
$(VENV)/.installed: pyproject.toml clients/python/pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -c $(LOCK) uv
	$(INSTALL) -e clients/python -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml $(LOCK)
	$(INSTALL) -e clients/python -e ".[dev]"
	touch $@

$(VENV)/.installed-bench: $(VENV)/.installed-dev pyproject.toml $(LOCK)
	$(INSTALL) -e clients/python -e ".[dev,bench]"
	touch $@

# Resolve both pyproject files afresh in a throwaway environment and pin all that came
# in; the lock's opening comment is kept.
lock:
	rm -rf .cache/lock && $(PYTHON) -m venv .cache/lock
	.cache/lock/bin/pip install --quiet --upgrade pip
	.cache/lock/bin/pip install --quiet ./clients/python ".[dev,bench]"
	{ sed -n '/^#/!q;p' $(LOCK); \
	  .cache/lock/bin/pip freeze --exclude tasklane-sdk --exclude tasklane-server; } > $(LOCK).new
	mv $(LOCK).new $(LOCK) && rm -rf .cache/lock

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
	scripts/test-js.sh
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
	&& npm ci --prefix bench/loadclient --no-audit --no-fund && { command -v redis-server >/dev/null || scripts/test-redis.sh >/dev/null; } && $(BIN)/python -m bench.fanout \
	&& $(BIN)/python -m bench.episodes

# The long fault, soak and hostile-input runs; figures in bench/results/reliability-<date>.md.
reliability: $(VENV)/.installed-bench
	pg="$$(scripts/test-postgres.sh)" && redis="$$(scripts/test-redis.sh)" && \
	TASKLANE_TEST_POSTGRES="$$pg" TASKLANE_TEST_REDIS="$$redis" TASKLANE_BENCH_POSTGRES="$$pg" \
	$(BIN)/python -m bench.reliability

clean:
	rm -rf $(VENV) .cache .pytest_cache .mypy_cache .ruff_cache
