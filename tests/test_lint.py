"""Code and notebooks are ruff clean (configuration in pyproject.toml).

A learner's edited exercises are their own code: outside strict mode (CI, `make check`) they are
left out, so that `make test` never fails on a learner's style.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from mlcourse.grading.generate import check_drift
from mlcourse.grading.layout import CourseLayout

REPO = Path(__file__).resolve().parents[1]


def test_ruff_is_clean(strict):
    edited = [] if strict else [str(path) for path in check_drift(CourseLayout(REPO)).edited]
    excluded = [argument for path in edited for argument in ("--extend-exclude", path)]
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--output-format", "concise",
                             *excluded, "."], cwd=REPO, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
