# Two commands on a fresh machine: `make demo` and `make test`.
# Every install step lives here, so CI (.ci/run) needs nothing done by hand.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PLUGIN_PROJECTS := $(wildcard plugins/*/pyproject.toml)
PLUGIN_DIRS     := $(patsubst %/pyproject.toml,%,$(PLUGIN_PROJECTS))
CORE_STAMP := $(VENV)/.core-installed
DEV_STAMP  := $(VENV)/.dev-installed
WEB_STAMP  := $(VENV)/.web-installed
# The browser tests of plugins/participatie-web drive Debian's Chromium
# (Playwright's own browser downloads are never used).
CHROMIUM   := /usr/bin/chromium
LINTED     := src tests examples benchmarks docs plugins

.PHONY: demo demo-web test lint typecheck pytest docs bench clean chromium postgres-server

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(CORE_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml $(PLUGIN_PROJECTS) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]" $(foreach dir,$(PLUGIN_DIRS),-e "./$(dir)[test]")
	touch $@ $(CORE_STAMP) $(WEB_STAMP)

demo: $(CORE_STAMP)
	$(BIN)/python examples/week_van_reflectie.py --output demo-output
	$(BIN)/python examples/dialoogbijeenkomst.py --output demo-output

$(WEB_STAMP): plugins/participatie-web/pyproject.toml $(CORE_STAMP)
	$(BIN)/python -m pip install --quiet -e ./plugins/participatie-web
	touch $@

# The participant's site on the demo database, as on Wednesday 28 October
# 2020 (registration still open). For the dialogue meeting's feedback pages:
#   make demo-web DEMO_WEB_DB=demo-output/dialoogbijeenkomst.db DEMO_WEB_NOW="2021-06-10 09:00"
DEMO_WEB_DB   ?= demo-output/participatie.db
DEMO_WEB_NOW  ?= 2020-10-28 09:00
DEMO_WEB_PORT ?= 8000
DEMO_WEB = $(BIN)/python -m participatie_web --store "sqlite:///$(abspath $(DEMO_WEB_DB))" \
	--now "$(DEMO_WEB_NOW)" --port $(DEMO_WEB_PORT) --secret-file demo-output/web-secret \
	--status-token-file demo-output/web-status-token

demo-web: demo $(WEB_STAMP)
	$(BIN)/python -c "import secrets; print(secrets.token_urlsafe(32))" > demo-output/web-secret
	$(BIN)/python -c "import secrets; print(secrets.token_urlsafe(24))" > demo-output/web-status-token
	$(DEMO_WEB) --print-links > demo-output/web-links.txt
	@echo "Site:           http://127.0.0.1:$(DEMO_WEB_PORT)/"
	@echo "Personal links: demo-output/web-links.txt"
	@echo "Status page:    http://127.0.0.1:$(DEMO_WEB_PORT)/status/$$(cat demo-output/web-status-token)"
	@echo "Stop with Ctrl-C."
	$(DEMO_WEB)

chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
		else \
			echo "The browser tests need Debian's Chromium at $(CHROMIUM):" \
				"run 'sudo apt-get install -y chromium', then make again." >&2; \
			exit 1; \
		fi; \
	fi

lint: $(DEV_STAMP)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)

typecheck: $(DEV_STAMP)
	$(BIN)/mypy

# plugins/participatie-postgres tests and benchmarks/bench_postgres.py start a
# throwaway PostgreSQL server from the Debian binaries (initdb, pg_ctl). As
# root we install them (without the default cluster); otherwise we say what to
# install. The tests are never skipped.
postgres-server:
	@if [ -n "$$PARTICIPATIE_PG_BIN" ] || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing the PostgreSQL server (apt-get install postgresql) for participatie-postgres"; \
		mkdir -p /etc/postgresql-common/createcluster.d; \
		echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.d/participatie.conf; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	else \
		echo "participatie-postgres needs the PostgreSQL server binaries (initdb, pg_ctl):" \
			"install the Debian package postgresql (sudo apt-get install postgresql)," \
			"or set PARTICIPATIE_PG_BIN to the directory that holds them" >&2; \
		exit 1; \
	fi

# coverage starts before pytest, so modules imported by pytest plugins
# (participatie's own pytest11 fixtures among them) are measured too.
pytest: $(DEV_STAMP) chromium postgres-server
	$(BIN)/coverage erase
	$(BIN)/coverage run -m pytest $(PYTEST_ARGS)
	$(BIN)/coverage report

docs: $(DEV_STAMP)
	$(BIN)/sphinx-build --fail-on-warning --keep-going -q -b html docs docs/_build/html

test: lint typecheck pytest docs

# Peers compared by benchmarks/bench_assignment.py; never part of the core install.
BENCH_PEERS := matching==1.4.3 ortools

bench: $(DEV_STAMP) postgres-server
	$(BIN)/python -m pip install --quiet $(BENCH_PEERS)
	@for script in benchmarks/bench_*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) demo-output docs/_build .coverage .hypothesis .mypy_cache .ruff_cache
