# Two commands do everything: `make run` (the site with demo data) and `make test` (the suite).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install assets messages run test lint format check-deploy bench clean

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
run: install assets
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py db_worker --no-startup-delay & WORKER=$$!; \
	trap 'kill $$WORKER 2>/dev/null' EXIT; \
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install assets
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check-deploy: install assets
	DJANGO_SETTINGS_MODULE=reportsite.settings.production \
	DJANGO_SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') \
	DJANGO_ALLOWED_HOSTS=baocao.example.org $(PY) manage.py check --deploy --fail-level WARNING

# Speed goals are measured here, not in unit tests: a throw-away database each run (PostgreSQL when
# BENCH_DATABASE_URL is set), figures printed and written to .bench/summary.json.
BENCH_DATABASE_URL ?= sqlite:///$(CURDIR)/.bench/bench.sqlite3
bench: install
	mkdir -p .bench && rm -f .bench/bench.sqlite3
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py migrate --noinput -v0
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache
