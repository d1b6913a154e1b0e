"""The SageMaker notebook instance set-up: the lifecycle script and the `aws` install.

On an instance, `pip install -e '.[aws]'` must keep the instance's own packages (its SageMaker
SDK v2, numpy, pandas): here it runs, through the lifecycle script, against this environment
(which has them all) in pip's dry-run mode, and only the course itself may be installed.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "aws" / "notebook-instance-on-start.sh"


def run_script(tmp_path: Path, **settings: str) -> subprocess.CompletedProcess:
    activate = tmp_path / "activate"
    activate.write_text(f"source '{sys.prefix}/bin/activate'\n")  # stands in for conda's
    env = {**os.environ, "ACTIVATE": str(activate), "RUN_AS": "", "FOREGROUND": "1", **settings}
    return subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True,
                          timeout=300)


def test_the_aws_install_keeps_the_instances_packages(tmp_path):
    if importlib.util.find_spec("setuptools") is None:  # Python 3.12 venvs start without it
        pytest.skip("the dry run builds the course without isolation, which needs setuptools")
    report = tmp_path / "report.json"
    result = run_script(tmp_path, COURSE_DIR=str(REPO), PIP_DRY_RUN="1",
                        PIP_REPORT=str(report), PIP_NO_BUILD_ISOLATION="0")
    assert result.returncode == 0, result.stderr[-3000:]
    installed = [item["metadata"]["name"] for item in json.loads(report.read_text())["install"]]
    assert installed == ["ml-deployment-course"], f"would change the instance: {installed}"


def test_a_missing_clone_never_stops_the_instance_from_starting(tmp_path):
    result = run_script(tmp_path, COURSE_DIR=str(tmp_path / "nowhere"))
    assert result.returncode == 0
    assert "No course at" in result.stderr and "clone it there first" in result.stderr
