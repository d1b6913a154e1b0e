# The course's commands. Every target that needs Python creates .venv first (the $(STAMP) rule),
# so `make lab` and `make test` work on a fresh clone.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
LAB_STATE := .localcloud
LAB_PORT ?= 8888
LAB_ARGS ?=

.PHONY: help setup lab test lint nb grade clean

help:  ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 10

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)  ## create .venv and install the project with its pinned dependencies

lab: $(STAMP)  ## start localcloud and JupyterLab on 127.0.0.1 (Ctrl-C stops both)
	$(BIN)/localcloud --state-dir $(LAB_STATE) run --port 0 -- \
		$(BIN)/jupyter lab --no-browser --ip=127.0.0.1 --port=$(LAB_PORT) \
		--ServerApp.root_dir="$(CURDIR)" --ServerApp.allow_root=True $(LAB_ARGS)

test: $(STAMP)  ## run the whole test suite (unit, localcloud, notebooks, grading, lint)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)  ## ruff on code and notebooks
	$(BIN)/ruff check .

nb: $(STAMP)  ## run one notebook headless against localcloud: make nb NB="Tutorials/<name>.ipynb"
	@test -n "$(NB)" || { echo 'usage: make nb NB="Tutorials/<notebook>.ipynb"'; exit 2; }
	$(BIN)/python tests/notebooks/harness.py "$(NB)"

grade: $(STAMP)  ## grade your exercise: make grade NB="Mini-Projects/<notebook>.ipynb"
	@test -n "$(NB)" || { echo 'usage: make grade NB="Mini-Projects/<notebook>.ipynb"'; exit 2; }
	$(BIN)/python -m mlcourse.grading grade "$(NB)"

clean:  ## remove build output, caches and the lab's localcloud state (keeps .venv)
	-test -x $(BIN)/localcloud && $(BIN)/localcloud --state-dir $(LAB_STATE) stop
	rm -rf build .pytest_cache .ruff_cache $(LAB_STATE)
	find . -name __pycache__ -type d -not -path './.venv/*' -prune -exec rm -rf {} +
