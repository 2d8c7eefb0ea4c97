# The two commands: `make demo` and `make test`. Everything else here serves them.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test install lint serve

$(STAMP): setup.cfg pyproject.toml constraints.txt scripts/spid-sp-test-constraints.txt
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip==25.3"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	$(BIN)/python scripts/spid_sp_test_tool.py
	touch $(STAMP)

install: $(STAMP)

## Run the demo Comune at http://127.0.0.1:$${PORT:-5000}/demo/ (SQLite in instance/, work in-process)
demo: install
	$(BIN)/python -m webapp demo

## Lint, type-check, check the dependency rule, and run the whole suite on PostgreSQL + Redis
test: install
	$(BIN)/python scripts/run_tests.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy engine forms connectors webapp
	$(BIN)/lint-imports

## Production shape: migrate, then gunicorn, a Celery worker and beat (Procfile) on PostgreSQL and Redis;
## configuration from the environment (README, "Production shape")
serve: install
	$(BIN)/python scripts/serve.py
