"""The packaging lesson's package, published for real outside the notebook.

Builds ``course-distributions`` (the solution's copy) with ``build``, serves it from
``pypiserver`` on 127.0.0.1, uploads it with ``twine``, installs it with pip from that index
only (no configuration, no other index, no fallback) into a throwaway virtual environment, and
imports and uses it there. Everything runs in pytest's temporary folder (the package is built
from a copy, so the repository stays clean); the server is stopped even when a step fails.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from packaging.utils import parse_sdist_filename, parse_wheel_filename

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "solutions" / "Mini-Projects" / "Software Engineering" / "course-distributions"
SERVER_START_SECONDS = 30


def _run(*command: str, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def package_index(tmp_path):
    """A pypiserver on 127.0.0.1 (no authentication, no fallback to PyPI); yields its URL."""
    packages = tmp_path / "packages"
    packages.mkdir()
    port = _free_port()
    log = tmp_path / "pypiserver.log"
    with open(log, "w") as log_stream:
        server = subprocess.Popen(
            [sys.executable, "-m", "pypiserver", "run", "-i", "127.0.0.1", "-p", str(port),
             "-a", ".", "-P", ".", "--disable-fallback", str(packages)],
            stdout=log_stream, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{url}/health", server, log)
        yield url, packages
    finally:
        server.terminate()
        server.wait(timeout=10)


def _wait_for(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"pypiserver did not start:\n{log.read_text()}")


def test_package_tests_pass():
    environment = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
                   "PYTHONPATH": str(PACKAGE / "src")}
    _run(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir",
         str(PACKAGE), str(PACKAGE / "tests"), env=environment)


def test_build_publish_install_and_import(tmp_path, package_index):
    url, packages = package_index
    # Built from a copy: setuptools writes build files (egg-info) into the folder it builds.
    source = shutil.copytree(PACKAGE, tmp_path / "source",
                             ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    dist = tmp_path / "dist"
    _run(sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(source))
    built = sorted(path.name for path in dist.iterdir())
    assert _distributions(built) == [("course-distributions", "0.1.0", ".tar.gz"),
                                     ("course-distributions", "0.1.0", ".whl")]

    _run(sys.executable, "-m", "twine", "upload", "--non-interactive", "--disable-progress-bar",
         "--repository-url", f"{url}/", "-u", "test", "-p", "unused",
         *(str(path) for path in dist.iterdir()))
    assert sorted(path.name for path in packages.iterdir()) == built

    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", str(venv))
    python = str(venv / "bin" / "python")
    # No pip configuration and no PIP_* variables: the local index is the only source.
    only_local = {name: value for name, value in os.environ.items()
                  if not name.startswith("PIP_")}
    only_local["PIP_CONFIG_FILE"] = os.devnull
    installed = _run(sys.executable, "-m", "pip", "--python", python, "install",
                     "--disable-pip-version-check", "--no-cache-dir", "--index-url",
                     f"{url}/simple/", "course-distributions", env=only_local)
    assert f"Looking in indexes: {url}/simple/\n" in installed
    assert "Successfully installed course-distributions-0.1.0" in installed

    used = _run(python, "-c", "import course_distributions as d; "
                "print(d.__version__, d.__file__); print(d.Gaussian(25, 3) + d.Gaussian(30, 4)); "
                "print(round(d.Binomial(0.5, 20).pdf(10), 4))")
    identity, total, probability = used.splitlines()
    version, location = identity.split(" ", 1)
    assert version == "0.1.0"
    assert location.startswith(str(venv)), f"imported from {location}, not the scratch venv"
    assert total == "mean 55, standard deviation 5.0"
    assert probability == "0.1762"


def _distributions(file_names: list[str]) -> list[tuple[str, str, str]]:
    """(project, version, kind) of each built file, sdist first.

    Parsed with ``packaging`` because the sdist's file name depends on the setuptools version
    (newer ones normalise ``course-distributions`` to ``course_distributions``, PEP 625).
    """
    found = []
    for name in file_names:
        if name.endswith(".whl"):
            project, version, _, _ = parse_wheel_filename(name)
            found.append((project, str(version), ".whl"))
        else:
            project, version = parse_sdist_filename(name)
            found.append((project, str(version), ".tar.gz"))
    return sorted(found, key=lambda item: item[2] != ".tar.gz")
