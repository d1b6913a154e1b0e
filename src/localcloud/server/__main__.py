"""The localcloud service process: ``python -m localcloud.server --port N --state-dir DIR``.

Normally started by ``localcloud start`` (or :class:`localcloud.LocalCloud`), which waits for
``/_localcloud/health`` and reads ``<state-dir>/service.json``.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from pathlib import Path

from moto.server import MotoRequestHandler
from werkzeug.serving import make_server

from ..kit import SERVICE_FILE, ServiceInfo, write_client_files
from ..safety.browser import new_admin_token
from ..safety.egress import EgressGuard, proxy_environment
from ..safety.files import private_dir
from ..services.account import bootstrap
from ..services.base import ServiceContext
from ..services.registry import load_services
from .app import LocalCloudApp

log = logging.getLogger("localcloud.server")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m localcloud.server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--state-dir", type=Path, required=True)
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--log-level", default=os.environ.get("LOCALCLOUD_LOG_LEVEL", "INFO"))
    return parser.parse_args(argv)


class Server:
    """The HTTP server, the registry's services and the account bootstrap, wired together."""

    def __init__(self, args: argparse.Namespace):
        if args.host not in ("127.0.0.1", "localhost", "::1"):
            raise SystemExit("localcloud listens on loopback only")
        self.state_dir = private_dir(args.state_dir.resolve())
        # Containers inherit this process's environment: they get the egress guard too.
        self.egress = EgressGuard().start()
        os.environ.update(proxy_environment(self.egress.url))
        self.region = args.region
        self.services = load_services()
        self.admin_token = new_admin_token()
        self.app = LocalCloudApp(self.services, status=self.status, on_reset=self.reset,
                                 admin_token=self.admin_token)
        self.http = make_server(args.host, args.port, self.app, threaded=True,
                                request_handler=MotoRequestHandler)
        self.url = f"http://127.0.0.1:{self.http.server_port}"
        self.info: ServiceInfo | None = None
        self.started: list = []  # services whose start hook ran, in start order

    def start(self) -> None:
        for service in self.services:  # saved state first: the bootstrap finds what exists
            service.restore(self.state_dir)
        threading.Thread(target=self.http.serve_forever, name="http", daemon=True).start()
        facts = bootstrap(self.url, self.region)
        context = ServiceContext(url=self.url, region=self.region, state_dir=self.state_dir,
                                 account_id=facts["account_id"], role_arn=facts["role_arn"],
                                 default_bucket=facts["default_bucket"],
                                 services={service.name: service for service in self.services})
        for service in self.services:
            service.start(context)
            self.started.append(service)
        self.info = ServiceInfo(pid=os.getpid(), url=self.url, region=self.region,
                                state_dir=str(self.state_dir), proxy_url=self.egress.url,
                                admin_token=self.admin_token, **facts)
        write_client_files(self.info)
        self.info.save()
        self.app.ready = True
        log.info("localcloud ready at %s (state in %s; services: %s)", self.url,
                 self.state_dir, ", ".join(service.name for service in self.services))

    def status(self) -> dict:
        merged: dict = {"egress": self.egress.status()}
        for service in self.started:
            merged.update(service.status())
        return merged

    def reset(self) -> None:
        """Delete every resource of every service, in registry order (moto's storage last)."""
        for service in self.started:
            service.reset()
        log.info("Reset: every resource deleted")

    def stop(self) -> None:
        log.info("Stopping localcloud")
        self.app.ready = False
        for service in self.started:
            try:
                service.shutdown()
            except Exception:  # one service failing to stop must not keep the others running
                log.exception("Service %s did not shut down cleanly", service.name)
        self.http.shutdown()
        self.egress.stop()
        (self.state_dir / SERVICE_FILE).unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.umask(0o077)  # state files (objects, logs, snapshots) are the user's alone
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stdout,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request is noise
    service = Server(args)
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    service.start()
    # Wait with a timeout: a signal may be delivered to any thread, and Python runs its handler
    # only when the main thread wakes up (an untimed wait could sleep through SIGTERM).
    while not stopping.wait(0.2):
        pass
    service.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
