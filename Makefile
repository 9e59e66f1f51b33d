# The README's commands. `make run` serves the site; `make test` runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PORT ?= 8000
VENV ?= .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py

# The first Python >= 3.12 on the PATH (Django 6.1 needs it).
PYTHON ?= $(shell for p in python3.14 python3.13 python3.12 python3 python; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 \
	&& { echo $$p; break; }; done)

.PHONY: help run test test-browser screenshots lint format migrations-check reset-db install install-dev serve loadtest bench

help:
	@echo "make run      serve the archive on http://127.0.0.1:$(PORT)/ (SQLite unless DATABASE_URL is set)"
	@echo "make test     run the whole test suite (SQLite unless DATABASE_URL is set)"
	@echo "make test-browser  only the browser tests (Chromium at /usr/bin/chromium)"
	@echo "make screenshots   retake docs/screenshots/ from the live test server"
	@echo "make lint     ruff check, ruff format --check and makemigrations --check"
	@echo "make reset-db delete the local SQLite database and load the fixture again"
	@echo "make serve    production-like: gunicorn, DEBUG off, compressed hashed static files (docs/operations.md)"
	@echo "make loadtest drive the production-like server on PostgreSQL at 16 and 64 connections"
	@echo "make bench    load 100,000 synthetic cases and measure every page, on SQLite and PostgreSQL (docs/performance.md)"

$(PY):
	@if [ -z "$(PYTHON)" ]; then \
		echo "error: no Python 3.12 or newer found on PATH (Django 6.1 needs it)."; \
		echo "Install one (e.g. python3.13) or run: make PYTHON=/path/to/python3.12 run"; exit 1; fi
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed-runtime: requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@ $(VENV)/.installed-runtime

install: $(VENV)/.installed-runtime
install-dev: $(VENV)/.installed-dev

var:
	@mkdir -p var

# Migrate and load the curated fixture: both do nothing when there is nothing new.
data: install var
	$(MANAGE) migrate --no-input
	$(MANAGE) loadarchive

run: data
	@echo "Serving on http://127.0.0.1:$(PORT)/ (Ctrl-C stops it)"
	$(MANAGE) runserver --noreload 127.0.0.1:$(PORT)

# The browser tests run in a process of their own: Playwright's event loop must
# not share a process with the tests that use the database synchronously.
test: install-dev var
	$(PY) -m pytest --ignore=tests/e2e $(PYTEST_ARGS)
	$(PY) -m pytest tests/e2e $(PYTEST_ARGS)

# The browser tests alone: Playwright drives the system's Chromium, never a downloaded one.
test-browser: install-dev var
	$(PY) -m pytest tests/e2e $(PYTEST_ARGS)

# Screenshots of the main pages for the docs, taken from the live test server.
screenshots: install-dev var
	$(PY) -m pytest tests/e2e/screenshots.py -q $(PYTEST_ARGS)

lint: install-dev var
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(MANAGE) makemigrations --check --dry-run

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

reset-db: install var
	rm -f var/archive.sqlite3 var/archive.sqlite3-wal var/archive.sqlite3-shm
	$(MAKE) data

# Production-like serving (docs/operations.md): DEBUG off, hashed and compressed
# static files, gunicorn with one sync worker per core on 127.0.0.1:$(PORT), logs
# on standard output. Settings come from the environment. Without SECRET_KEY a
# random key is made once and kept in var/secret_key, so this works from a fresh
# clone: a real deployment sets its own SECRET_KEY, ALLOWED_HOSTS and
# ARCHIVE_BASE_URL. The local
# address is plain HTTP, so the redirect to HTTPS is off unless asked for.
serve: install var
	@set -e; \
	export ARCHIVE_ENV=production PORT="$(PORT)"; \
	export ALLOWED_HOSTS="$${ALLOWED_HOSTS:-127.0.0.1,localhost}"; \
	export ARCHIVE_BASE_URL="$${ARCHIVE_BASE_URL:-http://127.0.0.1:$(PORT)}"; \
	export SECURE_SSL_REDIRECT="$${SECURE_SSL_REDIRECT:-0}"; \
	if [ -z "$${SECRET_KEY:-}" ]; then \
		if [ ! -s var/secret_key ]; then \
			(umask 077; $(PY) -c 'import secrets; print(secrets.token_urlsafe(50))' > var/secret_key); fi; \
		SECRET_KEY="$$(cat var/secret_key)"; export SECRET_KEY; \
		echo "SECRET_KEY is not set: using the local key in var/secret_key (a deployment sets its own)"; \
	fi; \
	$(MANAGE) collectstatic --no-input --verbosity 0; \
	$(MANAGE) migrate --no-input; \
	$(MANAGE) loadarchive; \
	echo "Serving on http://127.0.0.1:$(PORT)/ (Ctrl-C stops it)"; \
	exec $(VENV)/bin/gunicorn --config archive/gunicorn.conf.py

# Load test on 127.0.0.1 against PostgreSQL: a database of its own unless
# DATABASE_URL names one. Bounded in time; stops the server it started.
LOADTEST_DATABASE_URL ?= postgres://root@127.0.0.1:5432/archive_loadtest
LOADTEST_PORT ?= 8765
loadtest: install var
	DATABASE_URL="$${DATABASE_URL:-$(LOADTEST_DATABASE_URL)}" PORT="$(LOADTEST_PORT)" $(PY) bench/loadtest.py
# Speed at 100,000 synthetic cases, on SQLite and PostgreSQL, in dedicated databases: the
# synthetic fixture (written once, then reused) loaded with loadarchive, then every page
# measured: see docs/performance.md. Prints figures, not pass/fail.
bench: install var
	$(PY) bench/run.py
