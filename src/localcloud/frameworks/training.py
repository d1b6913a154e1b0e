"""Script-mode training: what a framework image does when SageMaker starts it with ``train``.

As sagemaker-training-toolkit's ``entry_point.run``: unpack the learner's code into
``/opt/ml/code``, install its ``requirements.txt`` (here into a per-job overlay), then run
``python <sagemaker_program> --hyperparameter value ...`` in that folder with the ``SM_*``
environment. The script's stdout and stderr stream into the job's log as it runs. A non-zero exit
is reported as the toolkit reports it, so the job's FailureReason reads as on AWS::

    AlgorithmError: ExecuteUserScriptError:
    ExitCode 1
    ErrorMessage "<the end of the script's stderr: the learner's traceback>"
    Command "/usr/bin/python3 train.py --epochs 2"
"""

from __future__ import annotations

import collections
import logging
import os
import shlex
import subprocess
import sys
import threading
from collections.abc import Mapping
from pathlib import Path

from localcloud.containers.contract import FAILURE_REASON_MAX_CHARS, MLPaths
from localcloud.containers.errors import AlgorithmError

from .code import COMPAT_DIR, fetch_code, install_requirements, python_path
from .environment import TrainingEnvironment, to_cmd_args

log = logging.getLogger(__name__)

#: Lines of the script's stderr kept for the failure message.
STDERR_TAIL_LINES = 100


class ExecuteUserScriptError(AlgorithmError):
    """The learner's script exited with a non-zero code."""

    def __init__(self, exit_code: int, stderr_tail: list[str], command: list[str]):
        self.exit_code = exit_code
        self.command = shlex.join(command)
        super().__init__(self._message(stderr_tail))

    def _message(self, stderr_tail: list[str]) -> str:
        """The toolkit's message, keeping as much of the stderr's *end* as FailureReason holds."""
        extra = ('\nExtraInfo "OutOfMemory: Process killed by SIGKILL (signal 9)"'
                 if self.exit_code in (137, -9) else "")
        frame = 'ExecuteUserScriptError:\nExitCode {code}\nErrorMessage "{error}"{extra}\n' \
                'Command "{command}"'
        budget = (FAILURE_REASON_MAX_CHARS - len(f"{self.prefix}: ")
                  - len(frame.format(code=self.exit_code, error="", extra=extra,
                                     command=self.command)))
        error = "\n".join(line.rstrip() for line in stderr_tail).strip()
        if len(error) > budget:
            error = "..." + error[-(budget - 3):]
        return frame.format(code=self.exit_code, error=error, extra=extra, command=self.command)


def run_script(paths: MLPaths, extra_env: Mapping[str, str] | None = None) -> None:
    """Fetch the job's code, install its requirements and run its entry point to the end.

    ``extra_env`` holds a framework's defaults (e.g. PyTorch's thread count); variables the job
    already sets (its ``Environment``) win over them.
    """
    environment = TrainingEnvironment.read(paths)
    code_dir = fetch_code(environment.module_dir or str(paths.root / "code"),
                          environment.code_dir, paths)
    site_dirs = install_requirements(code_dir, paths.root / "overlay")
    env = {**(extra_env or {}), **os.environ, **environment.env_vars(),
           "PYTHONPATH": python_path(*site_dirs, COMPAT_DIR),
           "PYTHONUNBUFFERED": "1"}
    command = entry_point_command(code_dir, environment.user_entry_point,
                                  to_cmd_args(environment.hyperparameters))
    log.info("Invoking user script with the following command:\n%s", shlex.join(command))
    exit_code, stderr_tail = _run(command, code_dir, env)
    if exit_code:
        raise ExecuteUserScriptError(exit_code, stderr_tail, command)
    log.info("Reporting training SUCCESS")


def entry_point_command(code_dir: Path, entry_point: str, args: list[str]) -> list[str]:
    """How the toolkit starts an entry point: a Python program, or an executable file."""
    if entry_point.endswith(".py"):
        return [sys.executable, entry_point, *args]
    executable = code_dir / entry_point
    if executable.is_file():
        executable.chmod(executable.stat().st_mode | 0o111)
    return ["/bin/sh", "-c", shlex.join([f"./{entry_point}", *args])]


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, list[str]]:
    """Run ``command``, copying its output to ours line by line; keep the end of stderr."""
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, bufsize=1,
                               errors="replace")
    stderr_tail: collections.deque[str] = collections.deque(maxlen=STDERR_TAIL_LINES)
    copiers = [threading.Thread(target=_copy, args=(process.stdout, None), daemon=True),
               threading.Thread(target=_copy, args=(process.stderr, stderr_tail), daemon=True)]
    for copier in copiers:
        copier.start()
    exit_code = process.wait()
    for copier in copiers:
        copier.join()
    return exit_code, list(stderr_tail)


_output_lock = threading.Lock()


def _copy(stream, keep: collections.deque | None) -> None:
    for line in stream:
        with _output_lock:
            sys.stdout.write(line)
            sys.stdout.flush()
        if keep is not None:
            keep.append(line)
