# Burency: the targets below are the interface. Everything installs itself.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
TOOLS := .tools
UV := $(shell command -v uv 2>/dev/null || echo $(TOOLS)/venv/bin/uv)
export UV_PYTHON := $(PYTHON)
export UV_PYTHON_DOWNLOADS := never
export UV_LINK_MODE := copy

.PHONY: help run test test-python test-frontend frontend lint fmt bench engine infra-up infra-down infra-status sync clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(TOOLS)/venv/bin/uv:
	@echo "==> uv not found: installing it into $(TOOLS)/venv"
	$(PYTHON) -m venv $(TOOLS)/venv
	$(TOOLS)/venv/bin/pip install --quiet --disable-pip-version-check uv

.venv/.synced: $(UV) pyproject.toml uv.lock libs/common/pyproject.toml libs/testing/pyproject.toml apps/platform/pyproject.toml $(wildcard services/*/pyproject.toml)
	$(UV) sync --all-packages --frozen
	@touch $@

uv.lock: $(UV) pyproject.toml libs/common/pyproject.toml libs/testing/pyproject.toml apps/platform/pyproject.toml $(wildcard services/*/pyproject.toml)
	$(UV) lock
	@touch $@

sync: .venv/.synced ## install the Python workspace (uv sync)

engine: sync ## compile the trading engine with mypyc into .native/ (skipped when up to date)
	.venv/bin/python scripts/build_engine.py

run: sync engine frontend ## start the embedded platform in one process and print its URL
	BURENCY_SPA_DIR="$${BURENCY_SPA_DIR:-$(CURDIR)/frontend/dist}" \
	BURENCY_EMAIL_ECHO="$${BURENCY_EMAIL_ECHO:-true}" .venv/bin/burency up

frontend: ## build the web app into frontend/dist when missing or stale (npm ci + vite build)
	bash scripts/frontend.sh build

infra-up: ## start PostgreSQL, Redis, Kafka and the S3 server on loopback (logs in var/)
	bash scripts/infra.sh up

infra-down: ## stop the test infrastructure
	bash scripts/infra.sh down

infra-status: ## show what the test infrastructure is doing
	bash scripts/infra.sh status

test: sync engine infra-up lint test-python test-frontend ## install, start infrastructure, lint (import contracts too), run every suite

test-python:
	source var/infra.env && .venv/bin/pytest $(PYTEST_ARGS)

test-frontend: sync engine ## the web app: ESLint, tsc, Vitest, Playwright e2e in Debian's chromium
	bash scripts/frontend.sh test

lint: sync ## ruff check, ruff format --check, mypy strict on every src/, import-linter
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy -p burency_common -p burency_testing -p burency_platform $(addprefix -p ,$(notdir $(wildcard services/*/src/burency_*)))
	.venv/bin/lint-imports

fmt: sync ## format and auto-fix
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

bench: sync engine infra-up ## run the benchmarks; figures land in bench/results/
	source var/infra.env && bash bench/run.sh

clean: ## remove the virtualenv, tool cache and runtime state
	rm -rf .venv $(TOOLS) var .native
