"""Hooks the kit installs in every Python process that talks to localcloud.

Installed by the kit's ``sitecustomize`` when ``LOCALCLOUD_ENDPOINT_URL`` is set; notebooks stay
unchanged. Each hook runs right after the module it adjusts is imported:

- ``botocore.session``: a client built with an explicit AWS endpoint (the pinned SDK builds its
  STS clients with ``https://sts.<region>.amazonaws.com``) is pointed at localcloud instead, and
  any request to a host other than loopback is refused, so real credentials on a laptop never
  reach real AWS while localcloud is on.
- ``sagemaker.session`` and ``sagemaker.utils``: their wait loops sleep 5-30 s between polls,
  sized for cloud jobs that take minutes. Local jobs take seconds, so these modules get a clock
  whose ``sleep`` is short and whose ``time`` advances by the sleep skipped, which keeps the
  SDK's own arithmetic ("describe again after 30 s") intact.
- ``sagemaker.config.config``: the SDK checks its config (the kit's ``TelemetryOptOut`` and
  ``DefaultS3Bucket`` file) against its JSON schema on every lookup, about 70 times per
  fit -> deploy -> transform cycle at some 30 ms of CPU each; a config already found valid is
  not checked again (an invalid one still fails every time, with the SDK's own error).
- ``sagemaker``: the SDK's INFO messages (and the root-logger INFO level one of its modules sets
  on import) are kept out of notebook output.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import json
import logging
import os
import sys
import threading
import time as real_time
from collections.abc import Callable
from urllib.parse import urlparse

ENDPOINT_ENV = "LOCALCLOUD_ENDPOINT_URL"
#: Longest real sleep an SDK wait loop gets while localcloud is the target.
FAST_POLL_SECONDS = float(os.environ.get("LOCALCLOUD_POLL_SECONDS", "0.1"))
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


class RemoteAWSRefused(RuntimeError):
    """A request would have left the machine while localcloud is the target."""


class FastClock:
    """Stands in for the ``time`` module inside the SDK's wait loops."""

    def __init__(self, longest_sleep: float = FAST_POLL_SECONDS):
        self.longest_sleep = longest_sleep
        self._skipped = 0.0
        self._lock = threading.Lock()

    def sleep(self, seconds: float) -> None:
        actual = min(seconds, self.longest_sleep)
        real_time.sleep(actual)
        with self._lock:
            self._skipped += seconds - actual

    def time(self) -> float:
        return real_time.time() + self._skipped

    def __getattr__(self, name):  # monotonic, strftime, gmtime, ... are the real ones
        return getattr(real_time, name)


# -- post-import hooks ------------------------------------------------------------------------

class _PostImportFinder(importlib.abc.MetaPathFinder):
    """Runs a callback right after a named module has been executed."""

    def __init__(self, callbacks: dict[str, Callable]):
        self.callbacks = callbacks
        self._busy: set[str] = set()

    def find_spec(self, fullname, path, target=None):
        if fullname not in self.callbacks or fullname in self._busy:
            return None
        self._busy.add(fullname)
        try:
            spec = importlib.util.find_spec(fullname)
        finally:
            self._busy.discard(fullname)
        if spec is None or spec.loader is None:
            return spec
        spec.loader = _CallbackLoader(spec.loader, self.callbacks[fullname])
        return spec


class _CallbackLoader(importlib.abc.Loader):
    def __init__(self, loader, callback: Callable):
        self.loader = loader
        self.callback = callback

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        self.loader.exec_module(module)
        self.callback(module)

    def __getattr__(self, name):
        return getattr(self.loader, name)


def when_imported(name: str, callback: Callable) -> None:
    """Call ``callback(module)`` once ``name`` is imported (now, if it already is)."""
    if name in sys.modules:
        callback(sys.modules[name])
        return
    finder = next((f for f in sys.meta_path if isinstance(f, _PostImportFinder)), None)
    if finder is None:
        finder = _PostImportFinder({})
        sys.meta_path.insert(0, finder)
    finder.callbacks[name] = callback


# -- the hooks --------------------------------------------------------------------------------

def is_loopback(url: str) -> bool:
    return (urlparse(url).hostname or "") in LOOPBACK_HOSTS


def is_aws_endpoint(url: str | None) -> bool:
    host = urlparse(url or "").hostname or ""
    return host.endswith(".amazonaws.com") or host.endswith(".api.aws")


def _refuse_remote(request, **_):
    if not is_loopback(request.url):
        raise RemoteAWSRefused(
            f"localcloud is the target ({ENDPOINT_ENV} is set), so this request to "
            f"{request.url} was refused. Unset {ENDPOINT_ENV} (restart the kernel outside "
            "`localcloud run` / `make lab`) to use real AWS.")


def patch_botocore_session(module) -> None:
    """Point explicit AWS endpoints at localcloud and refuse anything non-local."""
    original = module.Session.create_client
    if getattr(original, "_localcloud", False):
        return

    def create_client(self, service_name, *args, **kwargs):
        target = os.environ.get(ENDPOINT_ENV)
        if target and is_aws_endpoint(kwargs.get("endpoint_url")):
            kwargs["endpoint_url"] = target
        client = original(self, service_name, *args, **kwargs)
        client.meta.events.register("before-send", _refuse_remote)
        return client

    create_client._localcloud = True
    module.Session.create_client = create_client


def speed_up_waits(module) -> None:
    module.time = FastClock()


#: Distinct valid configs remembered per process (a kernel sees one or two).
VALID_CONFIGS_KEPT = 32


def cache_config_validation(module) -> None:
    """Check each distinct SDK config against the schema once, not on every lookup."""
    original = module.validate_sagemaker_config
    if getattr(original, "_localcloud", False):
        return
    valid: set[str] = set()

    def validate_sagemaker_config(sagemaker_config: dict | None = None):
        try:
            key = json.dumps(sagemaker_config, sort_keys=True)
        except (TypeError, ValueError):  # not plain JSON data: let the SDK judge it each time
            return original(sagemaker_config)
        if key in valid:
            return None
        original(sagemaker_config)
        if len(valid) >= VALID_CONFIGS_KEPT:
            valid.clear()
        valid.add(key)
        return None

    validate_sagemaker_config._localcloud = True
    module.validate_sagemaker_config = validate_sagemaker_config


def quiet_sdk_logging(_module=None) -> None:
    logging.getLogger("sagemaker").setLevel(logging.WARNING)
    logging.getLogger("sagemaker.config").setLevel(logging.WARNING)
    logging.getLogger("botocore.credentials").setLevel(logging.WARNING)


def restore_root_level(level: int) -> Callable:
    def restore(_module) -> None:
        logging.getLogger().setLevel(level)
    return restore


GUARD_ENV = "LOCALCLOUD_NETWORK_GUARD"


class NonLoopbackConnection(ConnectionRefusedError):
    """A socket tried to leave the machine while the network guard is on."""


def guard_sockets() -> None:
    """Refuse every TCP/UDP connection to an address outside loopback (used by the tests)."""
    import ipaddress
    import socket

    original_connect = socket.socket.connect
    if getattr(original_connect, "_localcloud", False):
        return

    def connect(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            host = address[0]
            try:
                allowed = ipaddress.ip_address(host).is_loopback
            except ValueError:
                allowed = host == "localhost"
            if not allowed:
                raise NonLoopbackConnection(f"network guard: connection to {address} refused "
                                            "(only 127.0.0.1 is allowed)")
        return original_connect(sock, address)

    connect._localcloud = True
    socket.socket.connect = connect


def install() -> None:
    """Install every hook (idempotent)."""
    if os.environ.get(GUARD_ENV) == "1":
        guard_sockets()
    quiet_sdk_logging()
    when_imported("botocore.session", patch_botocore_session)
    when_imported("awscli.botocore.session", patch_botocore_session)  # the CLI's own copy
    when_imported("sagemaker.session", speed_up_waits)
    when_imported("sagemaker.utils", speed_up_waits)
    when_imported("sagemaker.config.config", cache_config_validation)
    # One SDK module calls logging.basicConfig(level=INFO) on import; undo its level change.
    when_imported("sagemaker.experiments._metrics",
                  restore_root_level(logging.getLogger().level))
