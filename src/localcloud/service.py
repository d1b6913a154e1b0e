"""Start, find and stop a localcloud service from Python (the CLI is built on this).

    from localcloud import LocalCloud

    with LocalCloud() as cloud:          # starts a service (or joins one already running)
        subprocess.run(cmd, env={**os.environ, **cloud.env})

The service runs as its own process group; every container it starts stays in that group, so
:meth:`LocalCloud.stop` ends all of them at once.
"""

from __future__ import annotations

import contextlib
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

from .kit import ServiceInfo, apply_environment, client_environment

log = logging.getLogger(__name__)

STATE_DIR_ENV = "LOCALCLOUD_STATE_DIR"
DEFAULT_REGION = "us-east-1"


def default_state_dir() -> Path:
    return Path(os.environ.get(STATE_DIR_ENV) or Path.home() / ".localcloud")


class LocalCloudError(RuntimeError):
    """The service could not be started, reached or stopped."""


def _admin(url: str, route: str, method: str = "GET", timeout: float = 5.0) -> dict:
    request = urllib.request.Request(f"{url}/_localcloud/{route}", method=method, data=None)
    with urllib.request.urlopen(request, timeout=timeout) as response:
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
        self.info = self.running()
        if self.info:
            log.info("Joining localcloud already running at %s", self.info.url)
            return self
        self.state_dir.mkdir(parents=True, exist_ok=True)
        (self.state_dir / "service.json").unlink(missing_ok=True)
        command = [sys.executable, "-m", "localcloud.server", "--port", str(self.port),
                   "--state-dir", str(self.state_dir), "--region", self.region]
        with (self.state_dir / "server.log").open("ab") as server_log:
            process = subprocess.Popen(command, stdout=server_log, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, start_new_session=True)
        self._owned = True
        self.info = self._wait_until_ready(process)
        log.info("localcloud started at %s", self.info.url)
        return self

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
        self._kill_group(process.pid)
        raise LocalCloudError(f"localcloud did not become healthy within "
                              f"{self.startup_timeout:.0f} s; see {self.state_dir}/server.log")

    def _log_tail(self, lines: int = 20) -> str:
        path = self.state_dir / "server.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self, timeout: float = 20.0) -> None:
        """Stop the service and every process it started."""
        info = self.info or ServiceInfo.load(self.state_dir)
        if info is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(info.pid, signal.SIGTERM)
        try:
            psutil.Process(info.pid).wait(timeout=timeout)
        except psutil.NoSuchProcess:
            pass
        except psutil.TimeoutExpired:
            log.warning("localcloud did not stop within %.0f s; killing it", timeout)
        self._kill_group(info.pid)
        (self.state_dir / "service.json").unlink(missing_ok=True)
        self.info = None

    @staticmethod
    def _kill_group(pid: int) -> None:
        """SIGKILL whatever is left of the service's process group."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)

    def reset(self) -> None:
        """Delete every resource (jobs, endpoints, models, S3 objects, logs); keep running."""
        _admin(self._require().url, "reset", method="POST", timeout=120)

    def status(self) -> dict:
        info = self._require()
        return {"url": info.url, "pid": info.pid, "state_dir": info.state_dir,
                **_admin(info.url, "status")}

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

    def __enter__(self) -> LocalCloud:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        if self._owned:
            self.stop()
