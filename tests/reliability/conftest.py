"""Fixtures of the reliability suite: a private service per test, and a tiny real model.

Every row of the suite's tables is counted in ``resilience.RELIABILITY_COUNTS`` and printed at
the end of the session (the counts the reliability report quotes).
"""

from __future__ import annotations

import pytest
from resilience import MEASUREMENTS, RELIABILITY_COUNTS, xgboost_artifact
from summaries import hand_to_controller, print_section

from localcloud import LocalCloud
from localcloud.safety import processes

SECTION = "reliability suite"


@pytest.fixture
def private_cloud(tmp_path):
    """A service of this test's own (faults may kill it); nothing of it may be left after."""
    cloud = LocalCloud(state_dir=tmp_path / "state", port=0)
    cloud.start()
    yield cloud
    cloud.stop()
    assert processes.owned_processes(cloud.state_dir) == [], "processes left after stop"


@pytest.fixture(scope="session")
def artifact(tmp_path_factory):
    return xgboost_artifact(tmp_path_factory.mktemp("model"))


def pytest_sessionfinish(session):
    hand_to_controller(session.config, SECTION, RELIABILITY_COUNTS, MEASUREMENTS)


def pytest_terminal_summary(terminalreporter):
    print_section(terminalreporter, SECTION, RELIABILITY_COUNTS, MEASUREMENTS)
