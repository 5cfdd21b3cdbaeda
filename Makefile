# Guanxi: `make run` sets everything up and serves the demo shop; `make test` runs every check.
SHELL := /bin/bash
.DEFAULT_GOAL := run

VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_SCALE ?= small

# Django 6 needs Python >= 3.12; the machine's python3 may be older (pip would then silently
# install Django 5). Take the first interpreter that really runs and is new enough.
PYTHON := $(shell for c in python3.13 python3.12 $$(ls -d $$HOME/.pyenv/versions/3.13*/bin/python3 2>/dev/null) $$(ls -d $$HOME/.pyenv/versions/3.12*/bin/python3 2>/dev/null) /usr/bin/python3.13 /usr/bin/python3.12 python3; do \
	  if $$c -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then command -v $$c || echo $$c; break; fi; done)

.PHONY: run install deps test-deps demo serve test lint typecheck audit pytest pytest-postgres bench clean messages

$(BIN)/python:
	@if [ -z "$(PYTHON)" ]; then echo "Guanxi needs Python 3.12 or 3.13 (Django 6); install python3.13 and retry." >&2; exit 1; fi
	@echo "Using $(PYTHON) ($$($(PYTHON) --version))"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Installs the package with its development tools; re-runs only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

deps: $(VENV)/.installed

# The tests also need PySpark (the Spark parity tests); `make run` does not.
$(VENV)/.installed-spark: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev,spark]'
	touch $@

test-deps: $(VENV)/.installed-spark

# Everything but serving; safe to run again (migrations, demo and users only when missing).
install: deps
	$(BIN)/guanxi migrate --no-input -v 0
	$(BIN)/guanxi setup --demo-scale $(DEMO_SCALE)

# The web server and the background worker (imports run there); Ctrl-C stops both.
run: install
	@echo "Guanxi: http://$(HOST):$(PORT)/"
	@$(BIN)/guanxi db_worker --no-startup-delay & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/gunicorn guanxi.wsgi --bind $(HOST):$(PORT) --workers 2 --threads 4 --access-logfile -

lint: deps
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports

typecheck: deps
	$(BIN)/mypy

# Known vulnerabilities in the installed packages (pip-audit, asking the package registry;
# GUANXI_AUDIT_SERVICE=osv for OSV). Exit 2 and a plain "NOT CHECKED" when it could not check.
audit: deps
	$(BIN)/python -m guanxi.installation.dependency_audit

# Everything, the Spark parity tests included (they need Java: .ci/run installs it).
pytest: test-deps
	$(BIN)/python -m pytest -q --durations=30

# The database-facing tests again, on a private PostgreSQL cluster started for the run
# (their Spark runs read only the lake, which `make pytest` has covered; the browser tests
# drive the same views the client tests check on PostgreSQL, and would double the time).
pytest-postgres: deps
	$(BIN)/python tests/pg_cluster.py -- $(BIN)/python -m pytest -q -m "(django_db or postgres) and not spark and not browser" -p no:cacheprovider --durations=30

# The two pytest parts run side by side: each is one process, much of the SQLite part waits
# (browsers, the JVM, servers), and together they take about the time of the longer one
# instead of the sum (measured: ~33 + ~15 min one after the other, ~35 min side by side).
# The PostgreSQL part's output is kept in a file and printed after the SQLite part's, so
# the two reports do not interleave; both always finish, and either failing fails the target.
test: lint typecheck test-deps
	GUANXI_DATABASE_URL=sqlite:///$$(mktemp -d)/check.sqlite3 $(BIN)/guanxi makemigrations --check --dry-run
	@pglog=$$(mktemp); \
	  ( $(MAKE) --no-print-directory pytest-postgres > $$pglog 2>&1; echo $$? > $$pglog.rc ) & pg=$$!; \
	  $(MAKE) --no-print-directory pytest; sqlite=$$?; \
	  wait $$pg; pgrc=$$(cat $$pglog.rc); \
	  echo "==================== PostgreSQL part (make pytest-postgres) ===================="; \
	  cat $$pglog; rm -f $$pglog $$pglog.rc; \
	  echo "SQLite + Spark part: exit $$sqlite; PostgreSQL part: exit $$pgrc"; \
	  [ $$sqlite -eq 0 ] && [ $$pgrc -eq 0 ]

messages: deps
	cd src/guanxi && ../../$(BIN)/guanxi makemessages -l en --no-obsolete --ignore "migrations/*" && ../../$(BIN)/guanxi compilemessages

bench: deps
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
