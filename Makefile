# Two commands on a fresh machine: `make demo` and `make test`.
# Every install step lives here, so CI (.ci/run) needs nothing done by hand.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PLUGIN_PROJECTS := $(wildcard plugins/*/pyproject.toml)
PLUGIN_DIRS     := $(patsubst %/pyproject.toml,%,$(PLUGIN_PROJECTS))
CORE_STAMP := $(VENV)/.core-installed
DEV_STAMP  := $(VENV)/.dev-installed
LINTED     := src tests examples benchmarks docs plugins

.PHONY: demo test lint typecheck pytest docs bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(CORE_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml $(PLUGIN_PROJECTS) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]" $(foreach dir,$(PLUGIN_DIRS),-e "./$(dir)[test]")
	touch $@ $(CORE_STAMP)

demo: $(CORE_STAMP)
	$(BIN)/python examples/week_van_reflectie.py --output demo-output
	$(BIN)/python examples/dialoogbijeenkomst.py --output demo-output

lint: $(DEV_STAMP)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)

typecheck: $(DEV_STAMP)
	$(BIN)/mypy

# coverage starts before pytest, so modules imported by pytest plugins
# (participatie's own pytest11 fixtures among them) are measured too.
pytest: $(DEV_STAMP)
	$(BIN)/coverage erase
	$(BIN)/coverage run -m pytest $(PYTEST_ARGS)
	$(BIN)/coverage report

docs: $(DEV_STAMP)
	$(BIN)/sphinx-build --fail-on-warning --keep-going -q -b html docs docs/_build/html

test: lint typecheck pytest docs

# Peers compared by benchmarks/bench_assignment.py; never part of the core install.
BENCH_PEERS := matching==1.4.3 ortools

bench: $(DEV_STAMP)
	$(BIN)/python -m pip install --quiet $(BENCH_PEERS)
	@for script in benchmarks/bench_*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) demo-output docs/_build .coverage .hypothesis .mypy_cache .ruff_cache
