"""Golden outputs: nbval re-runs notebooks that have golden cells and compares those cells.

Golden cells (tag ``nbval-check-output``) show deterministic results a learner should see
exactly (the data's shape, a split's sizes). nbval runs in ``--nbval-lax`` mode, so only they
are compared, after ``nbval_sanitize.cfg`` masks what legitimately varies. It runs the
notebook's cells up to the last golden one, with the notebook's own defaults.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from catalog import (
    BUILD_DIR,
    CELL_TIMEOUT_SECONDS,
    GOLDEN_TAG,
    NOTEBOOK_TIMEOUT_SECONDS,
    REPO,
    discover_notebooks,
    tagged,
)

SANITIZER = Path(__file__).with_name("nbval_sanitize.cfg")
GOLDEN_BUILD_DIR = BUILD_DIR / "golden"


def golden_prefix(notebook: Path):
    """The notebook up to its last golden cell, or None when it has none.

    The golden cells show the data before anything runs in the cloud, so nbval re-runs only
    that prefix; the whole notebook is already executed by test_notebooks.py.
    """
    nb = nbformat.read(REPO / notebook, as_version=4)
    golden = [index for index, cell in enumerate(nb.cells) if tagged(cell, GOLDEN_TAG)]
    if not golden:
        return None
    nb.cells = nb.cells[:golden[-1] + 1]
    # nbval compares only cells with an execution count; nbstripout (the commit hook) clears
    # every count, golden cells' included, so the copy numbers them again.
    for count, index in enumerate(golden, start=1):
        nb.cells[index].execution_count = count
    return nb


GOLDEN_NOTEBOOKS = [nb for nb in discover_notebooks() if golden_prefix(nb) is not None]


def test_some_notebook_has_golden_cells():
    assert GOLDEN_NOTEBOOKS


@pytest.mark.parametrize("notebook", GOLDEN_NOTEBOOKS, ids=[p.as_posix() for p in GOLDEN_NOTEBOOKS])
def test_golden_cells_match(notebook, cloud, no_leaks):
    prefix = GOLDEN_BUILD_DIR / notebook
    prefix.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(golden_prefix(notebook), prefix)
    command = [sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-sanitize-with",
               str(SANITIZER), "--nbval-cell-timeout", str(CELL_TIMEOUT_SECONDS),
               "-p", "no:cacheprovider", "-q", str(prefix)]
    result = subprocess.run(command, env=cloud.environ(), cwd=REPO, capture_output=True,
                            text=True, timeout=NOTEBOOK_TIMEOUT_SECONDS)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
