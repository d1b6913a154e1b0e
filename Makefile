# The course's commands. Every target that needs Python creates .venv first (the $(STAMP) rule),
# so `make lab` and `make test` work on a fresh clone. `make help` lists them by audience.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
# `make test` runs the suite in this many pytest-xdist workers, each with a localcloud of its own
# (0: one process). The tests wait on kernels, containers and polls as much as they compute, so
# two workers share 2 cores well. tests/conftest.py says which tests must share a worker and
# hands out the long ones first.
PYTEST_WORKERS ?= 2
PYTEST := $(BIN)/python -m pytest -n $(PYTEST_WORKERS)
# Empty: localcloud's default state directory ($LOCALCLOUD_STATE_DIR, else ~/.localcloud), the
# one the README's `localcloud status|stop|reset` use too.
LAB_STATE ?=
LAB_PORT ?= 8888
LAB_ARGS ?=
# Outside hosts the lab's egress guard lets through (HTTPS only): the full-size datasets that
# are not on AWS, read from the dataset registry when the lab starts. Everything else outside
# 127.0.0.1 is refused while localcloud is the target.
LAB_ALLOW_HOSTS ?= $(shell $(BIN)/python -c "from mlcourse.datasets.registry import \
	lab_allowed_hosts; print(','.join(lab_allowed_hosts()))")
LOCALCLOUD := $(BIN)/localcloud $(if $(LAB_STATE),--state-dir "$(LAB_STATE)")
# JupyterLab settings every fresh profile gets: no "get notified about Jupyter news?" pop-up.
LAB_OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.json
# pipefail: the setup pipes pip's output through a progress filter and must keep pip's status.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c

# The other Pythons the course supports (notebook instances, Studio), for `make test-pythons`.
EXTRA_PYTHONS ?= python3.10 python3.12
# What `make test-pythons` runs on each: the unit tests and one tutorial against localcloud.
# The built-in algorithms' container suites (tests/unit/algorithms, the slowest) run on 3.11
# only: the tutorial trains and serves through the same containers on each Python.
EXTRA_PYTHON_TESTS ?= tests/unit --ignore=tests/unit/algorithms "tests/notebooks/test_notebooks.py::test_runs_headless_and_cleans_up[Tutorials/Boston Housing - XGBoost (Batch Transform) - High Level.ipynb]"

.PHONY: help setup lab stop test grade exercises check lint nb clean test-pythons

help:  ## list the targets
	@echo "For learners:"
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | grep -v '\[maintainers\]' \
		| sed 's/:.*## /\t/' | expand -t 12 | sed 's/^/  /'
	@echo "For instructors and maintainers:"
	@grep -E '^[a-z]+:.*## \[maintainers\] ' $(MAKEFILE_LIST) \
		| sed 's/:.*## \[maintainers\] /\t/' | expand -t 12 | sed 's/^/  /'
	@echo "Variables: PYTHON=$(PYTHON)  LAB_PORT=$(LAB_PORT)  LAB_STATE=$(or $(LAB_STATE),<default>)"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || command -v $(PYTHON) >/dev/null 2>&1 || { \
		echo "error: '$(PYTHON)' was not found. The course needs Python 3.11 (3.10 and 3.12 also"; \
		echo "work). Install it (Debian/Ubuntu: sudo apt install python3.11 python3.11-venv;"; \
		echo "macOS: brew install python@3.11; or from python.org), or name one you have:"; \
		echo "  make $(or $(MAKECMDGOALS),setup) PYTHON=python3.12"; exit 2; }
	@test -x $(BIN)/python || $(PYTHON) -c 'import sys; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 12))' || { \
		echo "error: $(PYTHON) is Python $$($(PYTHON) -c 'import platform; print(platform.python_version())');"; \
		echo "the course needs 3.10, 3.11 or 3.12: pass another one with PYTHON=..."; exit 2; }
	@echo "Setting up $(VENV) (first time only): about 2 GB on disk and 3 minutes with a"
	@echo "good connection. Progress is shown below; pip's errors, if any, are printed as they come."
	@test -x $(BIN)/python || { echo "[1/3] creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	@echo "[2/3] updating pip"
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@echo "[3/3] installing the course's pinned packages"
	@$(BIN)/python -m pip install --progress-bar off -e '.[lab,dev]' | awk \
		'/^Collecting / { n++; if (n % 10 == 1) printf "  downloading: %d packages so far (%s)\n", n, $$2; fflush() } \
		 /^Installing collected/ { print "  installing them (the longest step)..."; fflush() } \
		 /^Successfully installed/ { print "  done" }'
	@# rfc3987-syntax (from Jupyter's jsonschema[format-nongpl]) builds a parser whenever jsonschema
	@# is imported: 1.5 s of CPU in every kernel that imports sagemaker, every papermill run and
	@# every lab start. It only checks the "iri" string format, which jsonschema skips without it.
	@$(BIN)/python -m pip uninstall --yes --quiet rfc3987-syntax
	@touch $(STAMP)

$(LAB_OVERRIDES): | $(STAMP)
	@mkdir -p $(dir $@)
	@echo '{"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": false}}' > $@

# The AWS CLI lives in a venv of its own (it pins an older botocore than the SDK's); its pin is
# in pyproject.toml ([tool.mlcourse] awscli). .venv/bin/aws links to it.
AWSCLI := $(BIN)/aws
$(AWSCLI): pyproject.toml | $(STAMP)
	@echo "Installing the AWS CLI into $(VENV)/awscli"
	@test -x $(VENV)/awscli/bin/python || $(BIN)/python -m venv $(VENV)/awscli
	@$(VENV)/awscli/bin/python -m pip install --quiet "$$($(BIN)/python -c \
		'import importlib, sys; toml = importlib.import_module("tomllib" if sys.version_info >= (3, 11) else "pip._vendor.tomli"); print(toml.load(open("pyproject.toml", "rb"))["tool"]["mlcourse"]["awscli"])')"
	@ln -sf ../awscli/bin/aws $(AWSCLI)
	@touch $(AWSCLI)

setup: $(STAMP) $(AWSCLI)  ## create .venv and install the course (the other targets do it when needed)
	@# Maintainers' git hooks (.pre-commit-config.yaml). Not in a linked worktree: its hooks
	@# folder is shared with the main checkout, whose commits would then run this .venv's tools.
	@if [ -d .git ] && [ -z "$$(git config core.hooksPath)" ]; then \
		$(BIN)/pre-commit install --overwrite >/dev/null && \
		echo "git hooks installed: commits strip notebook outputs and run ruff (pre-commit)"; \
	fi

lab: $(STAMP) $(LAB_OVERRIDES) $(AWSCLI)  ## start localcloud and JupyterLab on 127.0.0.1 (Ctrl-C stops both)
	@echo "Starting localcloud and JupyterLab; open the http://127.0.0.1:$(LAB_PORT)/lab?token=... address printed below."
	@# .venv/bin first on PATH: the lab's terminals then have `localcloud`, `python` and `pip`.
	@PATH="$(CURDIR)/$(BIN):$$PATH" LOCALCLOUD_ALLOW_HOSTS="$(LAB_ALLOW_HOSTS)" \
		exec $(LOCALCLOUD) run --port 0 -- \
		$(BIN)/jupyter lab --no-browser --ip=127.0.0.1 --port=$(LAB_PORT) \
		--ServerApp.root_dir="$(CURDIR)" --ServerApp.allow_root=True \
		--ServerApp.answer_yes=True $(LAB_ARGS)

stop:  ## stop localcloud and every model server it runs (if a lab was not stopped cleanly)
	@test -x $(BIN)/localcloud && $(LOCALCLOUD) stop || true

grade: $(STAMP)  ## grade your exercise: make grade NB="Mini-Projects/<notebook>.ipynb"
	@test -n "$(NB)" || { echo 'usage: make grade NB="Mini-Projects/<notebook>.ipynb"'; exit 2; }
	@# Status 1 only means "not every criterion is met yet": the rubric says it, not make.
	@$(BIN)/python -m mlcourse.grading grade "$(NB)" || test $$? -eq 1

test: $(STAMP) $(AWSCLI)  ## run the whole test suite; your edited exercises and run notebooks are kept
	$(PYTEST) $(PYTEST_ARGS)

exercises: $(STAMP)  ## [maintainers] regenerate exercises from solutions/ (never overwrites edits)
	$(BIN)/python -m mlcourse.grading generate

check: $(STAMP)  ## [maintainers] what CI runs: the tests, with learner edits counted as failures
	MLCOURSE_STRICT=1 $(PYTEST) $(PYTEST_ARGS)

test-pythons:  ## [maintainers] unit tests and a tutorial on Python 3.10 and 3.12 (.venv-3.x; run before a release, not in CI)
	@for python in $(EXTRA_PYTHONS); do \
		venv=.venv-$${python#python}; \
		echo "== $$python: $$venv"; \
		if ! $$python -c pass 2>/dev/null; then echo "$$python not found: skipped"; continue; fi; \
		if [ ! -f $$venv/.installed ] || [ pyproject.toml -nt $$venv/.installed ]; then \
			{ test -x $$venv/bin/python || $$python -m venv $$venv; } && \
			$$venv/bin/python -m pip install --quiet --upgrade pip && \
			$$venv/bin/python -m pip install --quiet -e '.[lab,test]' && touch $$venv/.installed \
			|| exit 1; \
		fi; \
		$$venv/bin/python -m pytest -q -p no:cacheprovider $(EXTRA_PYTHON_TESTS) || exit 1; \
	done

lint: $(STAMP)  ## [maintainers] ruff on code and notebooks
	$(BIN)/ruff check .

nb: $(STAMP)  ## [maintainers] run one notebook headless against localcloud: make nb NB="Tutorials/<name>.ipynb"
	@test -n "$(NB)" || { echo 'usage: make nb NB="Tutorials/<notebook>.ipynb"'; exit 2; }
	$(BIN)/python tests/notebooks/harness.py "$(NB)"

clean:  ## [maintainers] remove build output and caches (keeps .venv, your work and localcloud's state)
	rm -rf build .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -not -path './.venv/*' -prune -exec rm -rf {} +
