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

from moto.server import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

from ..kit import SERVICE_FILE, ServiceInfo, write_client_files
from ..safety.egress import EgressGuard, proxy_environment
from ..safety.files import private_dir
from ..sagemaker.control import ControlPlane
from ..sagemaker.platform import Platform
from ..sagemaker.resources import Account
from ..sagemaker.runtime import Runtime
from .app import LocalCloudApp
from .bootstrap import bootstrap, clear_storage

log = logging.getLogger("localcloud.server")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m localcloud.server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--state-dir", type=Path, required=True)
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--log-level", default=os.environ.get("LOCALCLOUD_LOG_LEVEL", "INFO"))
    return parser.parse_args(argv)


class Service:
    """The HTTP server, the SageMaker components and the bootstrap, wired together."""

    def __init__(self, args: argparse.Namespace):
        if args.host not in ("127.0.0.1", "localhost", "::1"):
            raise SystemExit("localcloud listens on loopback only")
        self.state_dir = private_dir(args.state_dir.resolve())
        # Containers inherit this process's environment: they get the egress guard too.
        self.egress = EgressGuard().start()
        os.environ.update(proxy_environment(self.egress.url))
        self.region = args.region
        self.app = LocalCloudApp(DomainDispatcherApplication(create_backend_app),
                                 on_reset=self.reset)
        self.http = make_server(args.host, args.port, self.app, threaded=True,
                                request_handler=MotoRequestHandler)
        self.url = f"http://127.0.0.1:{self.http.server_port}"
        self.info: ServiceInfo | None = None
        self.control: ControlPlane | None = None

    def start(self) -> None:
        threading.Thread(target=self.http.serve_forever, name="http", daemon=True).start()
        facts = bootstrap(self.url, self.region)
        platform = Platform(self.url, self.region, facts["account_id"], self.state_dir)
        account = Account(facts["account_id"], self.region)
        self.control = ControlPlane(account, platform)
        self.app.control = self.control
        self.app.runtime = Runtime(self.control.hosting, facts["account_id"], self.region)
        self.info = ServiceInfo(pid=os.getpid(), url=self.url, region=self.region,
                                state_dir=str(self.state_dir), proxy_url=self.egress.url,
                                **facts)
        write_client_files(self.info)
        self.info.save()
        self.app.extra_status = lambda: {"egress": self.egress.status()}
        self.app.ready = True
        log.info("localcloud ready at %s (state in %s)", self.url, self.state_dir)

    def reset(self) -> None:
        """Delete every resource: jobs, endpoints, models, objects, log groups."""
        self.control.reset()
        clear_storage(self.url, self.region, keep_bucket=self.info.default_bucket)
        log.info("Reset: every resource deleted")

    def stop(self) -> None:
        log.info("Stopping localcloud")
        self.app.ready = False
        if self.control:
            self.control.shutdown()
        self.http.shutdown()
        self.egress.stop()
        (self.state_dir / SERVICE_FILE).unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.umask(0o077)  # state files (objects, logs, snapshots) are the user's alone
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stdout,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request is noise
    service = Service(args)
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    service.start()
    stopping.wait()
    service.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
