"""Execute one notebook headless with papermill against localcloud.

Used by the notebook tests and by ``make nb NB=path`` (``python tests/notebooks/harness.py``).
The notebook runs in its own folder, in a kernel whose environment points at localcloud, with a
per-cell timeout (papermill) and a per-notebook timeout (the subprocess). The executed copy is
kept under ``build/notebooks/`` for inspection.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from catalog import (  # noqa: E402 (path set above so `make nb` can run this file directly)
    BUILD_DIR,
    CELL_TIMEOUT_SECONDS,
    NOTEBOOK_TIMEOUT_SECONDS,
    REPO,
    parameters_for,
)


@dataclass
class Execution:
    notebook: Path
    output: Path
    seconds: float
    returncode: int
    log: str


def execute(notebook: Path, environ: dict[str, str],
            parameters: dict[str, object] | None = None) -> Execution:
    """Run ``notebook`` (relative to the repo) with its CI parameters (or ``parameters``);
    return what happened."""
    source = REPO / notebook
    output = BUILD_DIR / notebook
    output.parent.mkdir(parents=True, exist_ok=True)
    parameters = parameters_for(notebook) if parameters is None else parameters
    parameter_file = output.with_suffix(".parameters.yaml")
    parameter_file.write_text(yaml.safe_dump(parameters))
    command = [sys.executable, "-m", "papermill", str(source), str(output),
               "-f", str(parameter_file), "--cwd", str(source.parent),
               "--kernel", "python3", "--execution-timeout", str(CELL_TIMEOUT_SECONDS),
               "--no-progress-bar", "--log-output"]
    started = time.monotonic()
    try:
        completed = subprocess.run(command, env=environ, capture_output=True, text=True,
                                   timeout=NOTEBOOK_TIMEOUT_SECONDS)
        returncode, log = completed.returncode, completed.stdout + completed.stderr
    except subprocess.TimeoutExpired as expired:
        returncode = -1
        log = f"Notebook timed out after {NOTEBOOK_TIMEOUT_SECONDS} s\n{expired.stderr or ''}"
    return Execution(notebook, output, time.monotonic() - started, returncode, log)


def main() -> int:
    parser = argparse.ArgumentParser(description="Run one notebook against localcloud")
    parser.add_argument("notebook", type=Path)
    args = parser.parse_args()
    from localcloud import LocalCloud

    notebook = args.notebook.resolve().relative_to(REPO)
    # A private service per run: a lab or another run using .localcloud is left alone.
    with tempfile.TemporaryDirectory(prefix="localcloud-nb-") as state_dir, \
            LocalCloud(state_dir=state_dir, port=0) as cloud:
        result = execute(notebook, cloud.environ())
    print(result.log[-5000:])
    print(f"{notebook}: exit {result.returncode} in {result.seconds:.1f} s -> {result.output}")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
