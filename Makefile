# The README's two commands: `make demo` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
STAMP := $(VENV)/.installed-stamp
DEMO_HOME ?= demo-home
PYTEST_ARGS ?=

.PHONY: setup demo demo-serve test test-fast bench quality lint lock messages clean smoke

$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check uv
	$(UV) pip install -q --python $(PY) -r requirements.txt
	$(UV) pip install -q --python $(PY) --no-deps -e .
	touch $(STAMP)

# Byte-compile the venv and our sources once: uv installs without .pyc files, and with
# PYTHONDONTWRITEBYTECODE set every process (each CLI call, each training worker) would
# otherwise recompile ccxt, sklearn, scipy... from source (measured: importing ccxt 13 s -> 1.9 s,
# the demo's collect phase 38 s -> 16 s for two coins).
BYTECODE := $(VENV)/.bytecode-stamp
$(BYTECODE): $(STAMP)
	$(PY) -m compileall -q -j 0 $(VENV)/lib src > /dev/null || true
	touch $(BYTECODE)

setup: $(STAMP) $(BYTECODE)

demo: setup
	$(VENV)/bin/finbot --home $(DEMO_HOME) demo
	@echo "Open the dashboard on the demo's home: $(VENV)/bin/finbot --home $(DEMO_HOME) dashboard" \
	      "(then http://127.0.0.1:8765/; or 'make demo-serve')"

# The demo, then its dashboard served until Ctrl+C.
demo-serve: setup
	$(VENV)/bin/finbot --home $(DEMO_HOME) demo --serve

smoke: setup
	$(PY) -m finbot.tools.run_smoke

test: setup
	rm -f .coverage .coverage.*
	$(PY) -m pytest -n 2 --cov=finbot --cov-report= $(PYTEST_ARGS)
	$(PY) scripts/coverage_by_package.py

test-fast: setup
	$(PY) -m pytest -n 2 -m "not slow and not reliability and not load and not browser" $(PYTEST_ARGS)

bench: setup
	$(PY) -m benchmarks.run

# Volatility, interval and probability forecasts against their naive baselines on the shared
# real hourly data (writes benchmarks/quality.json).
quality: setup
	$(PY) -m benchmarks.quality

# What CI checks before the tests: lint, formatting, strict typing of src/finbot.
lint: setup
	$(VENV)/bin/ruff check src tests benchmarks scripts
	$(VENV)/bin/ruff format --check src tests benchmarks scripts
	$(VENV)/bin/mypy --strict

# The FR/EN message catalogs: extract the marked messages of src/finbot into locale/finbot.pot,
# update each language's .po from it, compile each .po into the .mo finbot ships (Babel;
# also a runtime dependency for number formats; see scripts/messages.py).
messages: setup
	$(PY) scripts/messages.py

# Regenerate the exact-version lock from pyproject.toml's ranges.
lock: setup
	$(UV) pip compile -q pyproject.toml --extra dev --python-version 3.11 -o requirements.txt

clean:
	rm -rf $(VENV) .pytest_cache .coverage .coverage.* $(DEMO_HOME)
