# The targets mirror CI: `make run`, `make test`, `make lint`, `make bench`.
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export DATA_DIR ?= $(abspath ../shared/data/lean)

.PHONY: run test lint bench install install-test migrate vendor

$(VENV)/.installed: pyproject.toml setup.py $(wildcard backtesting/engine/*/_fast*.c)
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PY) -m pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# One machine: the site, the node workers (threads on the in-process broker unless
# REDIS_URL is set) and the sweeper in one daphne process.
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo "Serving on http://127.0.0.1:$(PORT)/ (log in as demo / demo; Ctrl+C stops)"
	START_INPROCESS_WORKERS=1 $(VENV)/bin/daphne -b 127.0.0.1 -p $(PORT) config.asgi:application

test: install-test
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

bench: install-test
	$(PY) -m tests.bench $(BENCH_ARGS)

vendor:
	bash scripts/vendor_frontend.sh
