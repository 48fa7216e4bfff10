# crig — common tasks. `make help` lists them.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
PYTEST_ARGS ?= -n auto

.DEFAULT_GOAL := help
.PHONY: help install run test test-fast lint format bench load audit messages lock demo clean

help: ## List the tasks
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/.installed: pyproject.toml requirements/constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11) and "crig needs Python 3.11 (set PYTHON=...)")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements/constraints.txt -e '.[dev]'
	touch $@

install: $(BIN)/.installed ## Install crig and its pinned dependencies into .venv

run: install ## Migrate, load the demo into an empty database, serve on http://$(HOST):$(PORT)
	CRIG_DEBUG=true $(BIN)/crig migrate --noinput
	CRIG_DEBUG=true $(BIN)/crig demo --if-empty
	CRIG_DEBUG=true $(BIN)/crig runserver $(HOST):$(PORT)

demo: install ## Load (or reload) the CRIG Occitanie demo into the database
	CRIG_DEBUG=true $(BIN)/crig migrate --noinput
	CRIG_DEBUG=true $(BIN)/crig demo

test: install ## Run the whole test suite (browser tests need /usr/bin/chromium)
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install ## Check style and lint with ruff, and that migrations are up to date
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools
	CRIG_DEBUG=true $(BIN)/crig makemigrations --check --dry-run

format: install ## Reformat the code with ruff
	$(BIN)/ruff check --fix src tests bench tools
	$(BIN)/ruff format src tests bench tools

bench: install ## Run the benchmarks; figures go to bench/results.json
	$(BIN)/python -m bench

load: install ## Load test: 50 users for 60 s against gunicorn, SQLite then PostgreSQL (root, or CRIG_DATABASE_URL); figures go to bench/load-results.json
	$(BIN)/python -m bench.load $(LOAD_ARGS)

audit: install ## Audit the pinned dependencies for known vulnerabilities (pip-audit)
	tools/audit.sh

messages: install ## Extract UI strings and compile the translations (needs gettext)
	cd src/crig && for app in core members territory catalog needs funding actionplan events news; do \
	  (cd $$app && CRIG_DEBUG=true ../../../$(BIN)/crig makemessages -l fr -l en --no-obsolete); done
	$(BIN)/python -m crig.core.i18n_compile

lock: ## Re-resolve the pinned dependencies from pyproject.toml
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet -e '.[dev]'
	(echo "# Pinned versions for every install (make install, CI). Regenerate with: make lock"; \
	 .lock-venv/bin/pip freeze --exclude-editable | grep -vi '^crig') > requirements/constraints.txt
	rm -rf .lock-venv

clean: ## Remove the virtualenv and local data (var/)
	rm -rf $(VENV) var
