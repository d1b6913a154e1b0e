# Every target that needs Python creates .venv first (see the `venv` stamp below).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: setup lab test lint nb clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)  ## create .venv and install the project with its pinned dependencies

test: $(STAMP)  ## run the whole test suite
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)  ## ruff on code and notebooks
	$(BIN)/ruff check src tests

clean:  ## remove build output and caches (keeps .venv)
	rm -rf build .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -not -path './.venv/*' -prune -exec rm -rf {} +

.PHONY: grade

grade: $(STAMP)  ## grade your exercise: make grade NB="Mini-Projects/<notebook>.ipynb"
	@test -n "$(NB)" || { echo 'usage: make grade NB="Mini-Projects/<notebook>.ipynb"'; exit 2; }
	$(BIN)/python -m mlcourse.grading grade "$(NB)"
