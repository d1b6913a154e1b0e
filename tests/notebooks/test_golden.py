"""Golden outputs: nbval re-runs notebooks that have golden cells and compares those cells.

Golden cells (tag ``nbval-check-output``) show deterministic results a learner should see
exactly (the data's shape, a split's sizes). nbval runs in ``--nbval-lax`` mode, so only they
are compared, after ``nbval_sanitize.cfg`` masks what legitimately varies. The notebook runs
with its own full-size defaults against the session's localcloud.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from catalog import REPO, discover_notebooks

GOLDEN_TAG = "nbval-check-output"
SANITIZER = Path(__file__).with_name("nbval_sanitize.cfg")


def has_golden_cells(notebook: Path) -> bool:
    nb = nbformat.read(REPO / notebook, as_version=4)
    return any(GOLDEN_TAG in cell.get("metadata", {}).get("tags", []) for cell in nb.cells)


GOLDEN_NOTEBOOKS = [nb for nb in discover_notebooks() if has_golden_cells(nb)]


def test_some_notebook_has_golden_cells():
    assert GOLDEN_NOTEBOOKS


@pytest.mark.parametrize("notebook", GOLDEN_NOTEBOOKS, ids=[p.as_posix() for p in GOLDEN_NOTEBOOKS])
def test_golden_cells_match(notebook, cloud):
    command = [sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-sanitize-with",
               str(SANITIZER), "--nbval-cell-timeout", "300", "-p", "no:cacheprovider", "-q",
               str(REPO / notebook)]
    result = subprocess.run(command, env=cloud.environ(), cwd=REPO, capture_output=True,
                            text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert cloud.status()["endpoints"] == []
