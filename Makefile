# Two commands do everything: `make run` (the site with demo data) and `make test` (the suite).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install assets messages run test lint format check-deploy bench stack clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed") if sys.version_info < (3, 11) else None'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet ".[test]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed
assets: node_modules/.installed

# Recompile the Vietnamese catalogue after editing locale/vi/LC_MESSAGES/django.po.
messages: install
	$(PY) manage.py compilemessages --locale vi --ignore .venv --ignore node_modules

# The background worker (consolidated exports) runs beside the web server and stops with it.
# seed_demo is in devtools, which the local settings (manage.py's default) install and production does not.
run: install assets
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} $(PY) manage.py db_worker --no-startup-delay & WORKER=$$!; \
	trap 'kill $$WORKER 2>/dev/null' EXIT; \
	SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} $(PY) manage.py runserver $(HOST):$(PORT)

# Two workers by default (a 2-core machine runs the suite in about half the time); TEST_WORKERS=0 runs
# it in one process, e.g. to step through a test with a debugger. Work stealing: a worker that runs out
# takes tests from the other's queue, so a few long browser tests no longer end the run on one core
# (PostgreSQL pass: 5 min 28 s → 5 min 4 s here).
TEST_WORKERS ?= 2
test: install assets
	$(PY) -m pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

# ruff, then the one-way house: the layers written in pyproject.toml (docs/architecture.md).
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(PY) manage.py makemigrations --check --dry-run

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check-deploy: install assets
	DJANGO_SETTINGS_MODULE=reportsite.settings.production \
	DJANGO_SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') \
	DJANGO_ALLOWED_HOSTS=baocao.example.org $(PY) manage.py check --deploy --fail-level WARNING

# Speed goals are measured here, not in unit tests: gunicorn and PostgreSQL on loopback, a throw-away
# database made afresh each run (its name must contain "bench"), figures printed and written to
# .bench/summary.json. Quick run: make bench BENCH_ARGS="--sizes 200 1000 --runs 3 --phase-seconds 8 --load-seconds 20".
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/reportsite_bench
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
BENCH_ENV := DJANGO_SETTINGS_MODULE=reportsite.settings.bench DATABASE_URL=$(BENCH_DATABASE_URL)
bench: install assets
	@command -v wrk >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq wrk >/dev/null; }
	mkdir -p .bench
	$(BENCH_ENV) $(PY) manage.py collectstatic --noinput -v0
	$(BENCH_ENV) $(PY) manage.py bench $(BENCH_ARGS)

# The production shape on this machine: nginx in front of two gunicorn nodes and two task workers on one
# PostgreSQL and one Redis, export files in one shared folder; one node and one worker are killed mid-run.
# Prints the errors users saw, the acknowledged writes lost and the jobs left unfinished (all must be 0).
STACK_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/reportsite_stack_bench
stack: install assets
	@command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq nginx-light >/dev/null; }
	mkdir -p .bench
	DJANGO_SETTINGS_MODULE=reportsite.settings.bench DATABASE_URL=$(STACK_DATABASE_URL) $(PY) manage.py collectstatic --noinput -v0
	DJANGO_SETTINGS_MODULE=reportsite.settings.bench DATABASE_URL=$(STACK_DATABASE_URL) $(PY) manage.py stack $(STACK_ARGS)

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache
