# livegraph's commands. A fresh machine needs only Python >= 3.10, pip and make:
#   make lab     install what the notebooks need, then open JupyterLab on notebooks/ (HEADLESS=1: no browser)
#   make test    set everything up, then lint, type-check and run every test (notebooks and browser included)
#   make notebooks  run the notebooks' sources (notebooks/src/) and save them with outputs (ONLY=03: one)
#   make bench   livegraph against LangGraph (LangGraph lives only in bench/.venv-langgraph)
#   make lite    build the workshop as a static JupyterLite site in lite/site/ (pip + npm only, no CDN)
#   make lite-serve   serve lite/site/ on loopback and print its URL (LITE_PORT=8765)
#   make clean   remove environments, caches and test artifacts

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.livegraph-installed
# `make lab` installs only livegraph[lab] (the notebooks' packages and JupyterLab); `make setup` installs
# livegraph[dev], which includes it, so a venv made for the tests is ready for the lab too.
LAB_STAMP := $(VENV)/.livegraph-lab-installed
BENCH_VENV := bench/.venv-langgraph
BENCH_STAMP := $(BENCH_VENV)/.livegraph-installed
PORT ?= 8888
HEADLESS ?=
# The notebooks run on the embedded model unless told otherwise (LIVEGRAPH_EMBEDDED=0 make lab).
LIVEGRAPH_EMBEDDED ?= 1
PYTEST_ARGS ?=
ONLY ?=

PHASE := bash scripts/phase
PIP := $(BIN)/python -m pip
PIP_FLAGS := $(if $(CI),--progress-bar off)

export PIP_DISABLE_PIP_VERSION_CHECK := 1
# Tools installed in the venv (jupyter, graphviz-pure, ...) come first for everything make starts.
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: help setup lab notebooks test lint typecheck other-pythons pytest browser-deps postgres-deps bench lite lite-serve clean
.NOTPARALLEL:

help:
	@sed -n 's/^#   //p' $(firstword $(MAKEFILE_LIST))

setup: $(STAMP)

# Reinstalls only when pyproject.toml (or how the venv is made) changes; deleting .venv starts over.
$(STAMP): pyproject.toml scripts/venv.sh
	@$(PHASE) setup bash -c 'PYTHON=$(PYTHON) bash scripts/venv.sh $(VENV) \
		&& $(PIP) install $(PIP_FLAGS) --upgrade pip \
		&& $(PIP) install $(PIP_FLAGS) -e ".[dev]"'
	@touch $@ $(LAB_STAMP)

# One line while it works (pip's output goes to .venv/setup.log, shown only if it fails).
$(LAB_STAMP): pyproject.toml scripts/venv.sh
	@$(PHASE) --log $(VENV)-setup.log --say "$(VENV) with livegraph[lab]: the notebooks' packages and JupyterLab" \
		lab-setup bash -c 'PYTHON=$(PYTHON) bash scripts/venv.sh $(VENV) \
		&& $(PIP) install --progress-bar off --upgrade pip \
		&& $(PIP) install --progress-bar off -e ".[lab]"'
	@mv -f $(VENV)-setup.log $(VENV)/setup.log
	@touch $@

lab: $(LAB_STAMP)
	@LIVEGRAPH_EMBEDDED=$(LIVEGRAPH_EMBEDDED) $(BIN)/python scripts/lab.py --port $(PORT) \
		$(if $(filter 1 true yes,$(HEADLESS)),--no-browser)

notebooks: setup
	@$(PHASE) notebooks $(BIN)/python scripts/build_notebooks.py $(ONLY)

# Phases run in this order and stop at the first failure (`make -k test` runs them all).
test: setup browser-deps postgres-deps lint typecheck other-pythons pytest

lint: setup
	@$(PHASE) lint $(BIN)/ruff check src tests $(wildcard bench)

typecheck: setup
	@$(PHASE) typecheck $(BIN)/mypy

# The engine (standard library only) on the other supported Pythons this machine has, 3.10 above all.
other-pythons:
	@$(PHASE) other-pythons bash scripts/engine-on-other-pythons

# Last, and without a footer, so that pytest's closing line ends the output (it says how long it took).
# The differential tests run the same graphs on LangGraph, which lives only in the benchmark's venv.
pytest: setup $(BENCH_STAMP)
	@LIVEGRAPH_EMBEDDED=$(LIVEGRAPH_EMBEDDED) LIVEGRAPH_LANGGRAPH_PYTHON=$(CURDIR)/$(BENCH_VENV)/bin/python \
		$(PHASE) --quiet-ok pytest bash scripts/pytest-all $(PYTEST_ARGS)

# The browser tests drive Debian's Chromium through Playwright; `playwright install` is never used (it
# downloads a browser of its own). Graphviz needs nothing here: graphviz-pure comes with the pip install.
browser-deps:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		$(PHASE) chromium bash -c 'export DEBIAN_FRONTEND=noninteractive; \
			apt-get update -qq && apt-get install -y -qq chromium </dev/null >/dev/null'; \
	else \
		echo "warning: /usr/bin/chromium is missing, so the browser tests cannot run." >&2; \
		echo "         Install it with: sudo apt-get install -y chromium" >&2; \
	fi

# The checkpoint tests start their own PostgreSQL server (as `nobody` when run as root: initdb refuses root)
# from Debian's package, in a temporary directory on a loopback port, and stop it at the end.
postgres-deps:
	@if ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || command -v postgres >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		$(PHASE) postgresql bash -c 'export DEBIAN_FRONTEND=noninteractive; \
			apt-get update -qq && apt-get install -y -qq postgresql </dev/null >/dev/null'; \
	else \
		echo "warning: no PostgreSQL server, so the PostgreSQL checkpoint tests are skipped." >&2; \
		echo "         Install it with: sudo apt-get install -y postgresql" >&2; \
	fi

$(BENCH_STAMP): pyproject.toml scripts/venv.sh
	@$(PHASE) bench-setup bash -c 'PYTHON=$(PYTHON) bash scripts/venv.sh $(BENCH_VENV) \
		&& $(BENCH_VENV)/bin/python -m pip install $(PIP_FLAGS) --upgrade pip \
		&& $(BENCH_VENV)/bin/python -m pip install $(PIP_FLAGS) langgraph langgraph-checkpoint-sqlite \
			langgraph-checkpoint-postgres "psycopg[binary]" -e .'
	@touch $@

# bench/run.py runs in .venv; LANGGRAPH_PYTHON is the interpreter that has LangGraph (and livegraph too).
bench: setup $(BENCH_STAMP)
	@LANGGRAPH_PYTHON=$(CURDIR)/$(BENCH_VENV)/bin/python $(PHASE) bench $(BIN)/python bench/run.py

# The site's versions all live in lite/versions.env; downloads go to lite/node_modules and lite/cache.
lite: setup
	@$(PHASE) lite $(BIN)/python scripts/lite.py build

LITE_PORT ?= 8765
lite-serve: setup
	@[ -f lite/site/index.html ] || $(PHASE) lite $(BIN)/python scripts/lite.py build
	@$(BIN)/python scripts/lite.py serve --port $(LITE_PORT)

clean:
	rm -rf lite/node_modules lite/cache lite/build lite/site
	rm -rf $(VENV) $(VENV)-setup.log .venv-py* $(BENCH_VENV) build dist src/*.egg-info .mypy_cache .ruff_cache .pytest_cache tests/artifacts
	find . -name __pycache__ -type d -prune -not -path './.git/*' -exec rm -rf {} +
	find . -name .ipynb_checkpoints -type d -prune -not -path './.git/*' -exec rm -rf {} +
