# JNTU GV LMS task runner. `make run` and `make test` are all a newcomer needs.
SHELL := /bin/bash
PY_VENV := .venv
UV := $(PY_VENV)/bin/uv
LMS := $(PY_VENV)/bin/lms
PYTEST_ARGS ?=

.PHONY: run test install web web-test lint typecheck fmt openapi migrate clean bench

$(UV):
	@command -v python3 >/dev/null || { echo "python3 (3.11+) is required"; exit 1; }
	python3 -m venv $(PY_VENV)
	$(PY_VENV)/bin/python -m pip install --quiet --disable-pip-version-check "uv==0.13.9"

install: $(UV)  ## create .venv and install the locked dependencies
	$(UV) sync --frozen --inexact --all-groups

web:  ## build the web app into web/dist (skipped when Node is missing)
	@if [ ! -f web/package.json ]; then echo "web/ not present yet"; \
	elif ! command -v npm >/dev/null; then echo "npm not found: serving the API only (install Node 20+ for the web app)"; \
	else cd web && { [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error; } && npm run build --silent; fi

run: install web  ## migrate an SQLite database under var/, load demo data, serve on http://127.0.0.1:8000
	$(LMS) run

test: install web  ## lint, type-check, web unit tests, the whole suite (+ real servers / browser when present)
	$(PY_VENV)/bin/ruff check src tests bench
	$(PY_VENV)/bin/mypy
	@$(MAKE) --no-print-directory web-test
	$(PY_VENV)/bin/pytest --ignore=tests/e2e $(PYTEST_ARGS)
	@# The browser journeys get a process of their own: Playwright's sync API keeps an event loop running.
	$(PY_VENV)/bin/pytest tests/e2e $(PYTEST_ARGS)

web-test:
	@if [ -f web/package.json ] && command -v npm >/dev/null; then \
	  cd web && { [ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error; } && npm test --silent; fi

lint:
	$(PY_VENV)/bin/ruff check src tests
	$(PY_VENV)/bin/ruff format --check src tests

typecheck:
	$(PY_VENV)/bin/mypy

fmt:
	$(PY_VENV)/bin/ruff check --fix src tests
	$(PY_VENV)/bin/ruff format src tests

openapi: install  ## regenerate web/openapi.json and the web app's typed client
	$(LMS) openapi --output web/openapi.json
	cd web && npm run gen:api

migrate: install
	$(LMS) migrate

clean:
	rm -rf $(PY_VENV) var web/dist web/node_modules .pytest_cache .mypy_cache .ruff_cache
