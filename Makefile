# One-command entry points. Needs only Python 3.11+, make and git; everything else goes into .venv/.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: report test lab lint format constraints clean-venv

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	@# an editable install compiles nothing; byte-compile bch as a regular install would (faster start-up)
	@$(BIN)/python -m compileall -q bch
	@touch $(STAMP)

## report: publish a board pack from the shipped data into outputs/YYYY-MM-DD/ (outputs/latest)
report: $(STAMP)
	$(BIN)/bch check --processed data/processed > /dev/null || [ $$? -eq 1 ]
	$(BIN)/bch pack

## test: the whole suite (lint, unit, notebooks)
test: $(STAMP)
	$(BIN)/ruff check bch tests benchmarks scripts notebooks
	$(BIN)/ruff format --check bch tests benchmarks scripts notebooks
	$(BIN)/python -m pytest

## lab: JupyterLab on notebooks/
lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

format: $(STAMP)
	$(BIN)/ruff check --fix bch tests benchmarks scripts notebooks
	$(BIN)/ruff format bch tests benchmarks scripts notebooks

## constraints: re-pin every dependency to what .venv has now (commit the result)
constraints: $(STAMP)
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e' > constraints.txt

clean-venv:
	rm -rf $(VENV)
