# One-command entry points. Needs only Python 3.11+, make and git; everything else goes into .venv/.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
LINTED := bch tests benchmarks scripts notebooks
LAB_ARGS ?=
# JupyterLab refuses to run as root unless told: a container's root user is told here, once.
ROOT_ARGS := $(if $(filter 0,$(shell id -u)),--allow-root,)

.DEFAULT_GOAL := help
.PHONY: help report test lint lab explore format coverage constraints clean-venv

## help: list these targets (the default)
help:
	@awk '/^## [a-z-]+: / { t = substr($$0, 4); i = index(t, ": "); \
		printf "  make %-12s %s\n", substr(t, 1, i - 1), substr(t, i + 2) }' $(MAKEFILE_LIST)

# uv (pinned, installed into .venv) does it in seconds; pip when uv can't. scripts/setup-venv.sh says each step.
$(STAMP): pyproject.toml constraints.txt scripts/setup-venv.sh $(BIN)/python
	@sh scripts/setup-venv.sh $(PYTHON)
	@touch $(STAMP)

# A .venv whose interpreter is gone (a dangling link) has no $(BIN)/python: the stamp is rebuilt, and the script
# builds .venv again.
$(BIN)/python:
	@rm -f $(STAMP)

# bch check exiting 1 (error findings) still publishes, as the pack shows them; 2 (unreadable input) stops here.
## report: check the newest edition (summary + findings), then publish its board pack into outputs/YYYY-MM-DD/
report: $(STAMP)
	$(BIN)/bch check --processed data/processed || [ $$? -eq 1 ]
	$(BIN)/bch pack

# PYTHONDONTWRITEBYTECODE set empty: pytest may cache its rewritten test modules (each worker's start-up).
## test: the whole suite: lint, then pytest on every core (unit, notebooks, browser)
test: $(STAMP) lint
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest

# Kernels and `python -m bch` subprocesses are measured too ([tool.coverage.run] patch = subprocess in pyproject.toml).
## coverage: the suite's line coverage of bch (kernels and subprocesses included); HTML in build/coverage/
coverage: $(STAMP)
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest --cov=bch --cov-report=term:skip-covered --cov-report=html:build/coverage

## lint: ruff check, ruff format --check, and the layers contract (lint-imports; changes nothing)
lint: $(STAMP)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/lint-imports --no-cache

## lab: JupyterLab at the project root (notebooks/, data/, outputs/); e.g. make lab LAB_ARGS=--no-browser
lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=. $(ROOT_ARGS) $(LAB_ARGS)

## explore: JupyterLab on notebooks/4.0-explore.ipynb: slice, drill into and try what-ifs (docs/explore.md)
explore: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=. $(ROOT_ARGS) $(LAB_ARGS) \
		"$$($(BIN)/python -c 'from bch.publish import notebooks; print(notebooks.explore_notebook().relative_to(notebooks.paths.ROOT))')"

## format: ruff fixes and formats bch, tests, benchmarks, scripts, notebooks
format: $(STAMP)
	$(BIN)/ruff check --fix $(LINTED)
	$(BIN)/ruff format $(LINTED)

# --all keeps setuptools, which the wheel test builds with; pip itself stays unpinned.
## constraints: re-pin every dependency to what .venv has now (commit the result)
constraints: $(STAMP)
	$(BIN)/python -m pip freeze --all --exclude-editable | grep -vE '^(-e |#|pip==)' > constraints.txt

## clean-venv: delete .venv/ (the next make rebuilds it)
clean-venv:
	rm -rf $(VENV)
