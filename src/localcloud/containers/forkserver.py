"""The warm parent of one image family's containers: ``python -m localcloud.containers.forkserver``.

Starting a container costs more than most local work does: the interpreter, then the image's
libraries (xgboost pulls in scikit-learn and SciPy: about a second of CPU; torch, Lightning and
GluonTS several). This process pays that once per image family. It imports the family's module
and libraries, then waits on a socket from the service; for each request it forks a child that
becomes the container exactly as ``python -m localcloud.containers MODE NAME`` would:

- its own process (a child of this one, in the service's process group, carrying the service's
  owner marker, so ``localcloud stop`` and the reaper find it), its own working directory,
  environment (replaced wholesale), stdin (``/dev/null``) and stdout/stderr (the pipe the
  service passed, which it ships to CloudWatch Logs);
- nothing shared with other jobs: each child starts from this parent's state, which holds only
  imported modules, never a job's data; the learner's code (script mode) is never imported here,
  so each job imports it fresh; random generators are reseeded;
- it shows as ``python -u -m localcloud.containers MODE NAME`` in ``ps``, as a cold one does;
- it dies if this parent dies (``PR_SET_PDEATHSIG``); this parent exits when the service stops
  it or after an idle spell. If the service is killed, the parent stays while its containers
  run, as a cold start's orphans would, and the next ``localcloud start`` or ``stop`` reaps
  them all (they carry the service's owner marker).

Fork safety: a process that forks while other threads run can hand the child a lock held by a
thread that does not exist there (OpenMP and BLAS pools, logging). This parent starts no thread:
the service starts it with ``OPENBLAS_NUM_THREADS=1`` (the only pool the pinned libraries start
on import), and before each fork it checks that it is still single-threaded, answering with an
error otherwise (the service then starts that container cold). The child restores the BLAS
thread count a cold container would have had.

Protocol (one ``SOCK_SEQPACKET`` message each): the service sends ``{"id", "argv", "env",
"cwd"}`` with the stdout pipe attached (``SCM_RIGHTS``); this process answers ``{"id", "pid"}``
or ``{"id", "error"}``, and ``{"id", "exit"}`` (a ``Popen.returncode``) once the child is
reaped.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import ctypes
import importlib
import json
import logging
import os
import select
import signal
import socket
import sys
import time
import traceback
from pathlib import Path

from .__main__ import main as container_main
from .registry import family_named

#: Largest request (the container's environment is most of it).
MAX_MESSAGE_BYTES = 1 << 20
#: The parent exits after this long with no container running and none requested.
IDLE_EXIT_SECONDS = float(os.environ.get("LOCALCLOUD_WARM_IDLE_SECONDS", "900"))
#: BLAS thread variables in the order OpenBLAS reads them for its default thread count.
BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS")
PR_SET_PDEATHSIG = 1


def preload(name: str) -> None:
    """Import the family's module, its ``train`` and ``Handler``, and its extra libraries.

    Best effort: a library that fails to import here fails in the container too, which reports
    it the way a cold container would (FailureReason, log).
    """
    family = family_named(name)
    for module in (family.module, *family.preload):
        try:
            loaded = importlib.import_module(module)
            if module == family.module:
                loaded.train, loaded.Handler  # noqa: B018 (lazy exports: import them now)
        except Exception:  # noqa: BLE001 (see the docstring)
            print(f"warm parent {name}: could not preload {module}:\n{traceback.format_exc()}")


def thread_count() -> int:
    """The threads of this process, native ones included."""
    return len(os.listdir("/proc/self/task"))


class ForkServer:
    """The request loop: fork a container per request, report each one's exit."""

    def __init__(self, family: str, channel: socket.socket):
        self.family = family
        self.channel = channel
        self.children: dict[int, int] = {}  # pid -> request id
        self.connected = True
        self.start_dir = os.getcwd()
        self.last_activity = time.monotonic()
        self.wakeup_read, self.wakeup_write = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)

    def run(self) -> None:
        signal.signal(signal.SIGCHLD, lambda *_: None)
        signal.set_wakeup_fd(self.wakeup_write)
        while self._serve_once():
            pass

    def _serve_once(self) -> bool:
        """Handle what is ready; False when this parent should exit."""
        watched = [self.wakeup_read] + ([self.channel] if self.connected else [])
        ready, _, _ = select.select(watched, [], [], 1.0)
        if self.wakeup_read in ready:
            with contextlib.suppress(BlockingIOError):
                os.read(self.wakeup_read, 4096)
        self._reap()
        if self.channel in ready:
            message, fds, _, _ = socket.recv_fds(self.channel, MAX_MESSAGE_BYTES, 4)
            if not message:
                # The service died without saying goodbye (kill -9): keep its containers alive,
                # as orphans of a cold start would be, until they end or a reaper ends them.
                self.connected = False
            elif json.loads(message).get("stop"):
                return False
            else:
                self._handle(json.loads(message), fds)
        if not self.connected:
            return bool(self.children)
        idle = time.monotonic() - self.last_activity
        return bool(self.children) or idle < IDLE_EXIT_SECONDS

    def _send(self, answer: dict) -> None:
        with contextlib.suppress(OSError):  # the service is gone: the loop notices and exits
            self.channel.send(json.dumps(answer).encode())

    def _handle(self, request: dict, fds: list[int]) -> None:
        self.last_activity = time.monotonic()
        if len(fds) != 1:
            for fd in fds:
                os.close(fd)
            self._send({"id": request["id"], "error": "expected one file descriptor (stdout)"})
            return
        threads = thread_count()
        if threads != 1:
            os.close(fds[0])
            self._send({"id": request["id"], "error": f"the warm parent of {self.family} runs "
                        f"{threads} threads; forking it would be unsafe"})
            return
        pid = os.fork()
        if pid == 0:
            os._exit(self._become_container(request, fds[0]))
        os.close(fds[0])
        self.children[pid] = request["id"]
        self._send({"id": request["id"], "pid": pid})

    def _reap(self) -> None:
        while self.children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            request_id = self.children.pop(pid, None)
            self.last_activity = time.monotonic()
            if request_id is not None:
                self._send({"id": request_id, "exit": os.waitstatus_to_exitcode(status)})

    # -- in the child -------------------------------------------------------------------------

    def _become_container(self, request: dict, stdout: int) -> int:
        """Turn this fresh child into the container; return its exit code."""
        code = 1
        try:
            self._detach(stdout, request["argv"])
            enter_job(request, self.start_dir)
            code = container_main(request["argv"])
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
            if not isinstance(stop.code, (int, type(None))):
                print(stop.code, file=sys.stderr)
        except BaseException:  # noqa: BLE001 (the child must always reach os._exit)
            traceback.print_exc()
        finally:
            with contextlib.suppress(Exception):
                atexit._run_exitfuncs()  # what a cold interpreter runs on its way out
            for stream in (sys.stdout, sys.stderr):
                with contextlib.suppress(Exception):
                    stream.flush()
        return code

    def _detach(self, stdout: int, argv: list[str]) -> None:
        """Drop the parent's signal set-up and descriptors; take the job's stdio."""
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for fd in (self.wakeup_read, self.wakeup_write):
            os.close(fd)
        self.channel.close()
        die_with_parent()
        set_command_line([sys.executable, "-u", "-m", "localcloud.containers", *argv])
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        os.dup2(stdout, 1)
        os.dup2(stdout, 2)
        os.close(stdout)


def die_with_parent() -> None:
    """SIGKILL this process when the warm parent dies (the parent has a single thread, so
    Linux's per-thread rule for PDEATHSIG does not bite here)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def set_command_line(argv: list[str]) -> None:
    """Show ``argv`` as this process's command line (``ps``, psutil), as setproctitle(3) does.

    The kernel reads ``/proc/self/cmdline`` from the stack's argument area, whose bounds
    ``/proc/self/stat`` gives; when the area's last byte is not NUL it shows the text up to the
    first NUL. The container's command is shorter than this parent's, so it fits. Best effort.
    """
    try:
        fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        start, end = int(fields[45]), int(fields[46])  # arg_start, arg_end (fields 48, 49)
        size = end - start
        title = " ".join(argv).encode()[:size - 2] + b"\0"
        ctypes.memmove(start, title.ljust(size, b" "), size)
    except (OSError, ValueError, IndexError):
        pass


def enter_job(request: dict, start_dir: str) -> None:
    """The job's working directory, environment and interpreter state, as a cold start has."""
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.argv = [str(Path(__file__).with_name("__main__.py")), *request["argv"]]
    if sys.path and sys.path[0] == start_dir:  # `python -m` puts the working directory first
        sys.path[0] = request["cwd"]
    importlib.invalidate_caches()  # the job's code appeared after the parent listed folders
    reset_logging()
    reseed_and_restore_threads()


def reset_logging() -> None:
    """A fresh interpreter's root logger, so the container's ``basicConfig`` takes effect even
    if a preloaded library configured logging on import."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.setLevel(logging.WARNING)


def reseed_and_restore_threads() -> None:
    """New random state (``random`` reseeds itself at fork; numpy's global generator does not),
    and the BLAS thread count a cold container would start with."""
    numpy = sys.modules.get("numpy")
    if numpy is None:
        return
    numpy.random.seed()
    threads = next((os.environ[name] for name in BLAS_THREAD_VARIABLES if os.environ.get(name)),
                   str(len(os.sched_getaffinity(0))))
    if threads.isdigit() and int(threads) > 1:
        from threadpoolctl import threadpool_limits

        threadpool_limits(int(threads), user_api="blas")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m localcloud.containers.forkserver")
    parser.add_argument("family")
    parser.add_argument("channel_fd", type=int)
    args = parser.parse_args(argv)
    channel = socket.socket(fileno=args.channel_fd)
    started = time.monotonic()
    preload(args.family)
    print(f"warm parent {args.family}: preloaded in {time.monotonic() - started:.1f} s, "
          f"{thread_count()} thread(s)")
    ForkServer(args.family, channel).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
