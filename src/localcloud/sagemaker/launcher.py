"""How the platform starts a container process: forked from a warm parent, or cold.

A warm parent (:mod:`localcloud.containers.forkserver`) per image family has imported the
family's libraries once; each container it forks starts in milliseconds instead of paying the
interpreter and library start-up again (an XGBoost container: about 1 s of CPU, a PyTorch or
DeepAR one several). Parents start lazily, on the first container of their family, and one
parent serves the containers whose start-up environment matches its own: the variables that
libraries read when they load (``OMP_NUM_THREADS``, ``PYTHONPATH``, ...) are part of its key.

Whatever cannot start warm starts cold, as before (``LOCALCLOUD_WARM_CONTAINERS=0`` turns warm
starts off): a parent that failed, one that is not single-threaded, a request it refused.
Either way the caller gets a process object with ``Popen``'s ``pid``, ``stdout`` (text lines:
stdout and stderr merged), ``poll()``, ``wait()`` and ``returncode``.
"""

from __future__ import annotations

import contextlib
import importlib
import itertools
import json
import logging
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

from ..containers.registry import family_named

log = logging.getLogger(__name__)

WARM_ENV = "LOCALCLOUD_WARM_CONTAINERS"
#: How long a container may wait for its warm parent to finish importing (then: cold start).
PARENT_READY_SECONDS = float(os.environ.get("LOCALCLOUD_WARM_READY_SECONDS", "300"))
#: Variables libraries read while loading: a warm parent only serves containers that agree.
IMPORT_TIME_PREFIXES = ("OMP_", "GOMP_", "KMP_", "MKL_", "OPENBLAS_", "GOTO_", "BLIS_",
                        "NUMEXPR_", "PYTHON", "LD_", "MALLOC_", "TORCH_", "CUDA_")
#: Set in every warm parent: BLAS must not start its thread pool before the parent forks.
SINGLE_THREADED_BLAS = {"OPENBLAS_NUM_THREADS": "1"}
#: Every container's environment has these unless the service's or the job's sets them.
#: OpenMP threads that wait for work by sleeping, not spinning: the 2 cores of a course machine
#: are shared by the service, the notebook and other jobs, and a spinning thread takes a core
#: its partner needs. XGBoost training 100 rounds on Boston with 2 threads, load average 7:
#: 1.5-3.0 s spinning (the default), 0.13-0.18 s sleeping, 0.10-0.17 s with 1 thread.
CONTAINER_DEFAULTS = {"OMP_WAIT_POLICY": "PASSIVE"}


class WarmUnavailable(RuntimeError):
    """The container cannot start warm (it then starts cold)."""


def start_cold(mode: str, algorithm: str, full_env: dict[str, str], cwd: Path
               ) -> subprocess.Popen:
    """``python -u -m localcloud.containers MODE ALGORITHM`` with merged stdout/stderr.

    The child stays in the server's process group, so stopping the service stops it too.
    (Not PR_SET_PDEATHSIG: Linux ties it to the thread that forked, and the thread that starts
    a model server ends long before the server should.)
    """
    command = [sys.executable, "-u", "-m", "localcloud.containers", mode, algorithm]
    return subprocess.Popen(command, env=full_env, cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            bufsize=1)


class WarmProcess:
    """A container forked by a warm parent, seen through ``Popen``'s interface."""

    def __init__(self, args: list[str], stdout):
        self.args = args
        self.stdout = stdout
        self.pid: int | None = None
        self.returncode: int | None = None
        self.error: str | None = None
        self.started = threading.Event()
        self._exited = threading.Event()

    def poll(self) -> int | None:
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if not self._exited.wait(timeout):
            raise subprocess.TimeoutExpired(self.args, timeout)
        return self.returncode

    def exited(self, code: int) -> None:
        self.returncode = code
        self._exited.set()


class WarmParent:
    """The service's end of one warm parent: start it, ask it for containers, hear them exit."""

    def __init__(self, family: str, environment: dict[str, str], log_file: Path):
        self.family = family
        self.log_file = log_file
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._processes: dict[int, WarmProcess] = {}
        self.alive = True
        self.forked = 0  # containers started: a parent that dies before its first has failed
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        log_file.parent.mkdir(parents=True, exist_ok=True)
        with log_file.open("ab") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-u", "-m", "localcloud.containers.forkserver", family,
                 str(theirs.fileno())],
                pass_fds=[theirs.fileno()], env=environment, cwd=log_file.parent,
                stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT)
        theirs.close()
        self.channel = ours
        threading.Thread(target=self._listen, daemon=True, name=f"warm:{family}").start()

    def start(self, argv: list[str], env: dict[str, str], cwd: Path) -> WarmProcess:
        """Fork a container; raises :class:`WarmUnavailable` when the parent cannot."""
        read_end, write_end = os.pipe()
        output = open(read_end, encoding="utf-8", errors="replace")  # noqa: SIM115 (the caller reads it)
        process = WarmProcess(["localcloud.containers", *argv], output)
        request_id = next(self._ids)
        request = json.dumps({"id": request_id, "argv": argv, "env": env, "cwd": str(cwd)})
        try:
            with self._lock:
                if not self.alive:
                    raise WarmUnavailable(f"the warm parent of {self.family} has exited")
                self._processes[request_id] = process
                socket.send_fds(self.channel, [request.encode()], [write_end])
        except (OSError, WarmUnavailable) as error:
            process.stdout.close()
            self._processes.pop(request_id, None)
            raise WarmUnavailable(str(error)) from None
        finally:
            os.close(write_end)
        if not process.started.wait(PARENT_READY_SECONDS) or process.error:
            process.stdout.close()
            self._processes.pop(request_id, None)
            raise WarmUnavailable(process.error or f"the warm parent of {self.family} was not "
                                  f"ready within {PARENT_READY_SECONDS:.0f} s")
        return process

    def _listen(self) -> None:
        while True:
            try:
                message = self.channel.recv(65536)
            except OSError:
                message = b""
            if not message:
                break
            answer = json.loads(message)
            process = self._processes.get(answer["id"])
            if process is None:
                continue
            if "pid" in answer:
                self.forked += 1
                process.pid = answer["pid"]
                process.started.set()
            elif "error" in answer:
                process.error = answer["error"]
                process.started.set()
            else:
                self._processes.pop(answer["id"], None)
                process.exited(answer["exit"])
        self._parent_gone()

    def _parent_gone(self) -> None:
        """The parent exited (idle, killed, or the service is stopping): its children died with
        it (PR_SET_PDEATHSIG), and requests it had not answered start cold."""
        with self._lock:
            self.alive = False
            orphans, self._processes = list(self._processes.values()), {}
        for process in orphans:
            if process.started.is_set():
                process.exited(-9)
            else:
                process.error = f"the warm parent of {self.family} exited"
                process.started.set()
        with_code = self.process.wait()
        log.info("Warm parent of %s exited with code %s", self.family, with_code)

    def close(self) -> None:
        """Stop the parent (its children die with it)."""
        with contextlib.suppress(OSError):
            self.channel.send(json.dumps({"stop": True}).encode())
        with contextlib.suppress(OSError):  # wakes the listener
            self.channel.shutdown(socket.SHUT_RDWR)
        self.channel.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()


class Launcher:
    """Starts containers for one service: warm when it can, cold otherwise."""

    def __init__(self, state_dir: Path):
        self.folder = Path(state_dir) / "warm"
        self.enabled = os.environ.get(WARM_ENV, "1") != "0"
        self._parents: dict[tuple, WarmParent] = {}
        self._lock = threading.Lock()

    def start(self, mode: str, algorithm: str, env: dict[str, str], cwd: Path):
        """Start ``python -m localcloud.containers MODE ALGORITHM`` in ``cwd`` with ``env``
        added to the service's environment; return a ``Popen``-like process."""
        full_env = {**CONTAINER_DEFAULTS, **os.environ, **env}
        if self.enabled:
            try:
                return self._parent(algorithm, full_env).start([mode, algorithm], full_env, cwd)
            except WarmUnavailable as error:
                log.warning("Starting a %s container cold: %s", algorithm, error)
        return start_cold(mode, algorithm, full_env, cwd)

    def _parent(self, algorithm: str, full_env: dict[str, str]) -> WarmParent:
        settings = import_time_settings(algorithm, full_env)
        key = (algorithm, tuple(sorted(settings.items())))
        with self._lock:
            parent = self._parents.get(key)
            if parent is not None and not parent.alive and not parent.forked:
                raise WarmUnavailable(f"the warm parent of {algorithm} exited before its first "
                                      f"container; see {parent.log_file}")
            if parent is None or not parent.alive:
                environment = {name: value for name, value in os.environ.items()
                               if not name.startswith(IMPORT_TIME_PREFIXES)}
                environment.update(settings)
                environment.update(SINGLE_THREADED_BLAS)
                parent = WarmParent(algorithm, environment,
                                    self.folder / f"{algorithm}-{len(self._parents)}.log")
                self._parents[key] = parent
        return parent

    def close(self) -> None:
        with self._lock:
            parents, self._parents = list(self._parents.values()), {}
        for parent in parents:
            parent.close()


def import_time_settings(algorithm: str, full_env: dict[str, str]) -> dict[str, str]:
    """The variables of a container's environment its libraries read while loading, with the
    family's defaults for those it applies before loading them (PyTorch's thread count)."""
    module = importlib.import_module(family_named(algorithm).module)  # light: lazy exports
    defaults = getattr(module, "thread_defaults", dict)()
    settings = {**defaults, **full_env}
    return {name: value for name, value in settings.items()
            if name.startswith(IMPORT_TIME_PREFIXES) and name not in SINGLE_THREADED_BLAS}
