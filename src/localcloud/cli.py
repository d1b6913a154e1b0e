"""``localcloud start|stop|status|reset|env|run``: the command line of the local cloud.

    localcloud start                 # background service on 127.0.0.1, waits until healthy
    eval "$(localcloud env)"         # point this shell's AWS tools at it
    localcloud run -- pytest tests   # run a command against it (starting one if needed)
    localcloud stop                  # stop it and every process it started
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time

import psutil

from .service import STATE_DIR_ENV, LocalCloud, LocalCloudError, default_state_dir

DEFAULT_PORT = int(os.environ.get("LOCALCLOUD_PORT", "4599"))


def _cloud(args: argparse.Namespace) -> LocalCloud:
    return LocalCloud(state_dir=args.state_dir, port=getattr(args, "port", DEFAULT_PORT))


def cmd_start(args: argparse.Namespace) -> int:
    cloud = _cloud(args)
    already = cloud.running()
    cloud.start()
    verb = "already running" if already else "started"
    print(f"localcloud {verb} at {cloud.url} (state in {cloud.state_dir})")
    print('Point a shell at it with: eval "$(localcloud env)"')
    return 0


def cmd_stop(args: argparse.Namespace) -> int:
    cloud = _cloud(args)
    if cloud.running() is None:
        print("localcloud is not running")
    cloud.stop()
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    cloud = _cloud(args)
    if cloud.running() is None:
        print(f"localcloud is not running (state directory {cloud.state_dir})")
        return 1
    print(json.dumps(cloud.status(), indent=2))
    return 0


def cmd_reset(args: argparse.Namespace) -> int:
    _cloud(args).reset()
    print("Every localcloud resource was deleted")
    return 0


def cmd_env(args: argparse.Namespace) -> int:
    """Print the lines that give a shell exactly the environment ``run`` gives a command:
    the caller's AWS credentials, profiles and endpoints unset, localcloud's set."""
    print("\n".join(_cloud(args).shell_lines()))
    return 0


#: Written by ``run`` when it starts the service: whoever finds the service running while this
#: process is gone knows it was left behind by a run that was killed, not started on purpose.
RUN_OWNER_FILE = "run.pid"
#: Seconds between checks that the process which started ``run`` (make, a shell) still lives.
PARENT_POLL_SECONDS = 1.0
_STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


class _StopRequested(Exception):
    """SIGTERM or SIGHUP reached ``run``, or the process that started it is gone."""


def cmd_run(args: argparse.Namespace) -> int:
    command = [part for part in args.command if part != "--"] if args.command else []
    if not command:
        print("localcloud run: give a command after --", file=sys.stderr)
        return 2
    cloud = _cloud(args)
    owns_service = _claim_service(cloud)
    cloud.start()
    owner_file = cloud.state_dir / RUN_OWNER_FILE
    if owns_service:
        owner_file.write_text(str(os.getpid()))
    environment = cloud.environ()
    # Kernels and terminals the command starts then find this service with `localcloud status`.
    environment[STATE_DIR_ENV] = str(cloud.state_dir)
    child = subprocess.Popen(command, env=environment)
    _stop_on_signals_and_orphaning()
    try:
        return child.wait()
    except (KeyboardInterrupt, _StopRequested):
        _ignore_stop_signals()  # a second Ctrl-C must not cut the clean-up short
        # End the command cleanly first (Jupyter shuts its kernels down on SIGTERM), then us.
        child.terminate()
        try:
            code = child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
            return child.wait()
        # Ended because we asked: a clean stop, not an error for make or the shell to report.
        return 0 if code in (-signal.SIGTERM, -signal.SIGINT) else code
    finally:
        _ignore_stop_signals()
        if owns_service:
            cloud.stop()
            owner_file.unlink(missing_ok=True)


def _claim_service(cloud: LocalCloud) -> bool:
    """Whether ``run`` should stop the service at the end; says so when one is running already.

    A service started with ``localcloud start`` is used and left running. One whose ``run`` is
    gone (killed before it could stop it) is taken over, so that it does not live on forever.
    """
    info = cloud.running()
    if info is None:
        return True
    owner_file = cloud.state_dir / RUN_OWNER_FILE
    owner = int(owner_file.read_text() or 0) if owner_file.exists() else None
    if owner is not None and not psutil.pid_exists(owner):
        print(f"localcloud: taking over the service left running at {info.url} by an earlier "
              f"session that did not stop it; it stops with this one", file=sys.stderr)
        return True
    print(f"localcloud: using the service already running at {info.url} (state in "
          f"{cloud.state_dir}); it keeps running afterwards: `localcloud stop` stops it",
          file=sys.stderr)
    return False


def _ignore_stop_signals() -> None:
    for stop_signal in (signal.SIGINT, *_STOP_SIGNALS):
        signal.signal(stop_signal, signal.SIG_IGN)


def _stop_on_signals_and_orphaning() -> None:
    """Turn SIGTERM, SIGHUP (terminal closed) and the death of our parent into _StopRequested."""

    def request_stop(signum, frame):
        raise _StopRequested(signal.Signals(signum).name)

    for stop_signal in _STOP_SIGNALS:
        signal.signal(stop_signal, request_stop)
    parent = os.getppid()

    def watch_parent():
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_SECONDS)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch_parent, name="parent-watch", daemon=True).start()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="localcloud", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--state-dir", default=None,
                        help=f"state directory (default: $LOCALCLOUD_STATE_DIR or "
                             f"{default_state_dir()})")
    commands = parser.add_subparsers(dest="command_name", required=True)
    start = commands.add_parser("start", help="start the service in the background")
    port_help = (f"port on 127.0.0.1 (default {DEFAULT_PORT}, or $LOCALCLOUD_PORT; 0 picks a "
                 "free one)")
    start.add_argument("--port", type=int, default=DEFAULT_PORT, help=port_help)
    start.add_argument("--state-dir", default=argparse.SUPPRESS)
    start.set_defaults(handler=cmd_start)
    for name, handler, text in (("stop", cmd_stop, "stop the service and its processes"),
                                ("status", cmd_status, "show what is running"),
                                ("reset", cmd_reset, "delete every resource"),
                                ("env", cmd_env, "print export lines for a shell")):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("--state-dir", default=argparse.SUPPRESS)
        sub.set_defaults(handler=handler)
    run = commands.add_parser(
        "run", help="run a command against the service (starting one for it if none runs)")
    run.add_argument("--port", type=int, default=DEFAULT_PORT, help=port_help)
    run.add_argument("--state-dir", default=argparse.SUPPRESS)
    run.add_argument("command", nargs=argparse.REMAINDER)
    run.set_defaults(handler=cmd_run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except LocalCloudError as error:
        print(f"localcloud: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
