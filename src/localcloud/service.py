"""Start, find and stop a localcloud service from Python (the CLI is built on this).

    from localcloud import LocalCloud

    with LocalCloud() as cloud:          # starts a service (or joins one already running)
        subprocess.run(cmd, env={**os.environ, **cloud.env})

The service runs as its own process group, and it and every container it starts carry the
state directory's owner marker (:mod:`localcloud.safety.processes`): :meth:`LocalCloud.stop`
ends all of them, and :meth:`LocalCloud.start` after a crash first reaps what the crashed run
left behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil

from .kit import (
    ServiceInfo,
    apply_environment,
    client_environment,
    removed_variables,
    shell_lines,
)
from .safety import processes
from .safety.browser import TOKEN_HEADER
from .safety.files import private_dir

log = logging.getLogger(__name__)

STATE_DIR_ENV = "LOCALCLOUD_STATE_DIR"
DEFAULT_REGION = "us-east-1"


def default_state_dir() -> Path:
    return Path(os.environ.get(STATE_DIR_ENV) or Path.home() / ".localcloud")


class LocalCloudError(RuntimeError):
    """The service could not be started, reached or stopped."""


#: Admin calls go straight to loopback, whatever proxy the caller's environment names.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _admin(url: str, route: str, method: str = "GET", timeout: float = 5.0,
           token: str = "") -> dict:
    request = urllib.request.Request(f"{url}/_localcloud/{route}", method=method, data=None,
                                     headers={TOKEN_HEADER: token})
    with _DIRECT.open(request, timeout=timeout) as response:
        return json.loads(response.read())


class LocalCloud:
    """A handle on the localcloud service that uses one state directory."""

    def __init__(self, state_dir: str | Path | None = None, port: int = 0,
                 region: str = DEFAULT_REGION, startup_timeout: float = 90.0):
        self.state_dir = Path(state_dir or default_state_dir()).resolve()
        self.port = port
        self.region = region
        self.startup_timeout = startup_timeout
        self.info: ServiceInfo | None = None
        self._owned = False  # did this handle start the service?

    # -- lifecycle ----------------------------------------------------------------------------

    def running(self) -> ServiceInfo | None:
        """The running service of this state directory, if there is a healthy one."""
        info = ServiceInfo.load(self.state_dir)
        if info is None or not psutil.pid_exists(info.pid):
            return None
        try:
            _admin(info.url, "health", timeout=2.0)
        except (urllib.error.URLError, OSError, ValueError):
            return None
        return info

    def start(self) -> LocalCloud:
        """Start the service, or join the one already running for this state directory."""
        private_dir(self.state_dir)
        with self._start_lock():
            self.info = self.running()
            if self.info:
                log.info("Joining localcloud already running at %s", self.info.url)
                return self
            leftovers = processes.reap(self.state_dir)
            if leftovers:
                log.warning("Stopped %d process(es) a previous localcloud run left behind",
                            len(leftovers))
            (self.state_dir / "service.json").unlink(missing_ok=True)
            process = self._launch()
            self._owned = True
            self.info = self._wait_until_ready(process)
        log.info("localcloud started at %s", self.info.url)
        return self

    @contextlib.contextmanager
    def _start_lock(self):
        """One start at a time per state directory (two would reap each other's service)."""
        with (self.state_dir / "start.lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _launch(self) -> subprocess.Popen:
        """Start the server process: its own session, the caller's AWS settings removed (its
        containers inherit its environment), and the owner marker set."""
        command = [sys.executable, "-m", "localcloud.server", "--port", str(self.port),
                   "--state-dir", str(self.state_dir), "--region", self.region]
        removed = set(removed_variables(os.environ, {}))
        environment = {**{k: v for k, v in os.environ.items() if k not in removed},
                       **processes.owner_marker(self.state_dir)}
        log_file = os.open(self.state_dir / "server.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND,
                           0o600)
        with os.fdopen(log_file, "ab") as server_log:
            return subprocess.Popen(command, stdout=server_log, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True,
                                    env=environment)

    def _wait_until_ready(self, process: subprocess.Popen) -> ServiceInfo:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise LocalCloudError(f"localcloud exited during start-up (code "
                                      f"{process.returncode}); see {self.state_dir}/server.log:\n"
                                      f"{self._log_tail()}")
            info = self.running()
            if info and info.pid == process.pid:
                return info
            time.sleep(0.1)
        processes.reap(self.state_dir)
        raise LocalCloudError(f"localcloud did not become healthy within "
                              f"{self.startup_timeout:.0f} s; see {self.state_dir}/server.log")

    def _log_tail(self, lines: int = 20) -> str:
        path = self.state_dir / "server.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self, timeout: float = 20.0) -> None:
        """Stop the service and every process any run of it started."""
        info = self.info or ServiceInfo.load(self.state_dir)
        if info is not None and self._is_our_server(info.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(info.pid, signal.SIGTERM)
            try:
                psutil.Process(info.pid).wait(timeout=timeout)
            except psutil.NoSuchProcess:
                pass
            except psutil.TimeoutExpired:
                log.warning("localcloud did not stop within %.0f s; killing it", timeout)
        processes.reap(self.state_dir)
        (self.state_dir / "service.json").unlink(missing_ok=True)
        self.info = None

    def _is_our_server(self, pid: int) -> bool:
        """``pid`` is still this state directory's server (not a recycled PID)."""
        return any(process.pid == pid for process in processes.owned_processes(self.state_dir))

    def reset(self) -> None:
        """Delete every resource (jobs, endpoints, models, S3 objects, logs); keep running."""
        info = self._require()
        _admin(info.url, "reset", method="POST", timeout=120, token=info.admin_token)

    def status(self) -> dict:
        info = self._require()
        return {"url": info.url, "pid": info.pid, "state_dir": info.state_dir,
                **_admin(info.url, "status", token=info.admin_token)}

    def _require(self) -> ServiceInfo:
        info = self.info or self.running()
        if info is None:
            raise LocalCloudError(f"localcloud is not running (state directory "
                                  f"{self.state_dir}); start it with `localcloud start`")
        return info

    # -- client side --------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return self._require().url

    @property
    def env(self) -> dict[str, str]:
        """The environment variables that point clients at this service."""
        return client_environment(self._require(), os.environ.get("PYTHONPATH"))

    def environ(self, base: dict | None = None) -> dict[str, str]:
        """A full environment for a subprocess: ``base`` (default os.environ) pointed here,
        with any real AWS credentials removed."""
        return apply_environment(dict(os.environ if base is None else base), self._require())

    def shell_lines(self, base: dict | None = None) -> list[str]:
        """What ``localcloud env`` prints: ``unset``/``export`` lines for a POSIX shell."""
        return shell_lines(dict(os.environ if base is None else base), self._require())

    def __enter__(self) -> LocalCloud:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        if self._owned:
            self.stop()
