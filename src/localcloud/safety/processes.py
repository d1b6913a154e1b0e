"""Which processes belong to a state directory's service, and how to end them all.

The service is started with ``LOCALCLOUD_OWNER=<state dir>`` in its environment, and every
process it starts (training, transform and serving containers, and whatever those start)
inherits it. That marker is the record of what the service owns: it survives the service's
death, process-group changes and PID reuse (a recycled PID has another environment). So
``localcloud start`` after a crash reaps the previous run's model servers, and ``localcloud
stop`` leaves nothing from any run. The clients' environment (``env``/``run``) never carries
the marker, so a user's notebook kernel is never reaped.
"""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path

import psutil

log = logging.getLogger(__name__)

OWNER_ENV = "LOCALCLOUD_OWNER"


def owner_marker(state_dir: Path) -> dict[str, str]:
    """The environment entry every process of ``state_dir``'s service carries."""
    return {OWNER_ENV: str(Path(state_dir).resolve())}


def owned_processes(state_dir: Path) -> list[psutil.Process]:
    """Live processes started by any run of ``state_dir``'s service (never this process)."""
    marker = str(Path(state_dir).resolve())
    found = []
    for process in psutil.process_iter():
        if process.pid == os.getpid():
            continue
        try:
            if process.environ().get(OWNER_ENV) == marker and \
                    process.status() != psutil.STATUS_ZOMBIE:
                found.append(process)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


def reap(state_dir: Path, grace_seconds: float = 3.0) -> list[int]:
    """End every process of ``state_dir``'s service (SIGTERM, then SIGKILL); return their PIDs."""
    processes = owned_processes(state_dir)
    if not processes:
        return []
    end_processes(processes, grace_seconds)
    pids = [process.pid for process in processes]
    log.info("Reaped %d process(es) of %s: %s", len(pids), state_dir, pids)
    return pids


def end_processes(members: list[psutil.Process], grace_seconds: float) -> None:
    """SIGTERM ``members``, then SIGKILL those still alive after ``grace_seconds``."""
    for member in members:
        with contextlib.suppress(psutil.NoSuchProcess):
            member.terminate()
    _, alive = psutil.wait_procs(members, timeout=grace_seconds)
    for member in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            member.kill()
    psutil.wait_procs(alive, timeout=grace_seconds)
