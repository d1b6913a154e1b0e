"""The learner's code in a framework container: fetching it, and installing its requirements.

Training: the SDK uploads the estimator's ``source_dir`` (or just its ``entry_point``) as
``sourcedir.tar.gz`` and names it in the ``sagemaker_submit_directory`` hyperparameter; the
toolkit unpacks it into ``/opt/ml/code``. Serving: ``SAGEMAKER_SUBMIT_DIRECTORY`` is either
``/opt/ml/model/code`` (PyTorch 1.2 and later: the SDK repacks the code into ``model.tar.gz``) or
the S3 URI of a ``sourcedir.tar.gz`` (PyTorch 0.4/1.0, scikit-learn).

A ``requirements.txt`` in the code is installed with pip before the script runs, as the toolkits
do, but into an *overlay* folder of this container (``pip install --prefix``) put on the
script's ``PYTHONPATH``: requirements the course's environment already satisfies are not
installed again, and nothing is ever installed into the course's environment.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
from pathlib import Path
from urllib.parse import urlparse

from localcloud.containers.contract import DEFAULT_ML_ROOT, MLPaths
from localcloud.containers.errors import AlgorithmError, ClientError

log = logging.getLogger(__name__)

REQUIREMENTS_FILE = "requirements.txt"
#: The compatibility package for scripts written for the older containers.
COMPAT_DIR = Path(__file__).resolve().parent / "compat"


class InstallRequirementsError(AlgorithmError):
    """pip could not install the code's ``requirements.txt``."""


def fetch_code(location: str, destination: Path, paths: MLPaths) -> Path:
    """Put the code named by ``location`` into ``destination``; return ``destination``.

    ``location`` is an ``s3://.../sourcedir.tar.gz`` URI, or a path inside the container's
    ``/opt/ml`` tree (a tarball or a folder), as SageMaker writes them.
    """
    destination.mkdir(parents=True, exist_ok=True)
    if location.startswith("s3://"):
        with tempfile.TemporaryDirectory(dir=destination.parent) as scratch:
            archive = Path(scratch) / "sourcedir.tar.gz"
            _download(location, archive)
            _extract(archive, destination)
        return destination
    local = container_path(location, paths)
    if local.is_dir():
        if local.resolve() != destination.resolve():
            shutil.copytree(local, destination, dirs_exist_ok=True)
    elif local.is_file():
        _extract(local, destination)
    else:
        raise ClientError(f"The source code {location} does not exist in the container")
    return destination


def container_path(location: str, paths: MLPaths) -> Path:
    """A path written for a real container (``/opt/ml/...``) inside this container's tree."""
    if location == DEFAULT_ML_ROOT or location.startswith(DEFAULT_ML_ROOT + "/"):
        return paths.root / location[len(DEFAULT_ML_ROOT):].lstrip("/")
    return Path(location)


def _download(uri: str, archive: Path) -> None:
    import boto3

    logging.getLogger("botocore").setLevel(logging.WARNING)  # keep the job's log about the job
    parsed = urlparse(uri)
    # The container talks to localcloud only (AWS_ENDPOINT_URL is set by the platform).
    s3 = boto3.session.Session(
        aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "localcloud"),
        aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "localcloud"),
        region_name=os.environ.get("AWS_DEFAULT_REGION", "us-east-1")).client("s3")
    try:
        s3.download_file(parsed.netloc, parsed.path.lstrip("/"), str(archive))
    except Exception as error:
        raise ClientError(f"Could not download the source code {uri}: {error}. Check that the "
                          "estimator's or model's code was uploaded (source_dir, entry_point, "
                          "code_location)") from error
    log.info("Downloaded the source code from %s", uri)


def _extract(archive: Path, destination: Path) -> None:
    try:
        with tarfile.open(archive, "r:*") as tar:
            tar.extractall(destination, filter="data")
    except tarfile.TarError as error:
        raise ClientError(f"The source code archive {archive.name} is not a readable tar.gz "
                          f"file: {error}") from error


def overlay_site_dirs(overlay: Path) -> list[Path]:
    """The ``site-packages`` folders ``pip install --prefix <overlay>`` writes to."""
    variables = {"base": str(overlay), "platbase": str(overlay)}
    found = {Path(sysconfig.get_path(kind, "posix_prefix", variables))
             for kind in ("purelib", "platlib")}
    return sorted(found)


def install_requirements(code_dir: Path, overlay: Path) -> list[Path]:
    """pip-install ``code_dir/requirements.txt`` into ``overlay``; return its site folders.

    Returns ``[]`` when the code has no requirements file. pip's output goes to the log.
    """
    requirements = code_dir / REQUIREMENTS_FILE
    if not requirements.is_file():
        return []
    log.info("Installing the packages of %s into this container's overlay %s (the course's "
             "environment is left unchanged; packages it already has are not installed again)",
             REQUIREMENTS_FILE, overlay)
    command = [sys.executable, "-m", "pip", "install", "--disable-pip-version-check",
               "--no-input", "--prefix", str(overlay), "-r", REQUIREMENTS_FILE]
    result = subprocess.run(command, cwd=code_dir, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, check=False)
    for line in result.stdout.splitlines():
        log.info("pip: %s", line)
    if result.returncode:
        tail = "\n".join(result.stdout.strip().splitlines()[-10:])
        raise InstallRequirementsError(
            f"InstallRequirementsError:\nExitCode {result.returncode}\nErrorMessage \"{tail}\"\n"
            f"Command \"{' '.join(command)}\"")
    return overlay_site_dirs(overlay)


def python_path(*folders: Path) -> str:
    """``PYTHONPATH`` with ``folders`` first, then what the container already had."""
    existing = [part for part in os.environ.get("PYTHONPATH", "").split(os.pathsep) if part]
    return os.pathsep.join([str(folder) for folder in folders] + existing)
