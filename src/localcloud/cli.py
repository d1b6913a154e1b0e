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
import subprocess
import sys

from .service import LocalCloud, LocalCloudError, default_state_dir

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


def cmd_run(args: argparse.Namespace) -> int:
    command = [part for part in args.command if part != "--"] if args.command else []
    if not command:
        print("localcloud run: give a command after --", file=sys.stderr)
        return 2
    cloud = _cloud(args)
    started_here = cloud.running() is None
    cloud.start()
    child = subprocess.Popen(command, env=cloud.environ())
    try:
        return child.wait()
    except KeyboardInterrupt:
        # Ctrl-C: end the command cleanly (Jupyter would otherwise ask to confirm), then us.
        child.terminate()
        try:
            return child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
            return child.wait()
    finally:
        if started_here:
            cloud.stop()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="localcloud", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--state-dir", default=None,
                        help=f"state directory (default: $LOCALCLOUD_STATE_DIR or "
                             f"{default_state_dir()})")
    commands = parser.add_subparsers(dest="command_name", required=True)
    start = commands.add_parser("start", help="start the service in the background")
    start.add_argument("--port", type=int, default=DEFAULT_PORT, help="0 picks a free port")
    start.add_argument("--state-dir", default=argparse.SUPPRESS)
    start.set_defaults(handler=cmd_start)
    for name, handler, text in (("stop", cmd_stop, "stop the service and its processes"),
                                ("status", cmd_status, "show what is running"),
                                ("reset", cmd_reset, "delete every resource"),
                                ("env", cmd_env, "print export lines for a shell")):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("--state-dir", default=argparse.SUPPRESS)
        sub.set_defaults(handler=handler)
    run = commands.add_parser("run", help="run a command against the service")
    run.add_argument("--port", type=int, default=DEFAULT_PORT)
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
