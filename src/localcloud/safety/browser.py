"""Browser safety: web pages the learner visits cannot drive localcloud.

A page of any site can make the browser send requests to ``http://127.0.0.1:<port>``; without
checks, ``fetch("http://127.0.0.1:4599/_localcloud/reset", {method: "POST"})`` from
``http://evil.example`` would delete every resource. So the server:

- serves only requests addressed to loopback (``Host`` is 127.0.0.1, localhost or ::1): a DNS
  rebinding page, whose requests carry its own host name, is refused;
- refuses requests a browser marks as cross-origin (an ``Origin`` other than localcloud's own,
  or ``Sec-Fetch-Site: cross-site``) and strips CORS headers from the answers, for every service
  except those AWS serves to browsers by design (API Gateway's execute-api URLs, which answer
  CORS themselves);
- requires the admin token of ``service.json`` (mode 600) on the admin routes, except health.

SDKs, the CLI and curl send no ``Origin`` and address 127.0.0.1, so they are unaffected.
"""

from __future__ import annotations

import json
import logging
import secrets
from urllib.parse import urlsplit

from werkzeug.wrappers import Response

log = logging.getLogger(__name__)

TOKEN_HEADER = "X-Localcloud-Token"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def new_admin_token() -> str:
    return secrets.token_urlsafe(24)


def _hostname(authority: str) -> str:
    """``127.0.0.1:4599`` -> ``127.0.0.1``; ``[::1]:4599`` -> ``::1``."""
    return (urlsplit(f"//{authority}").hostname or "").lower()


def is_loopback_name(hostname: str) -> bool:
    return hostname in LOOPBACK_HOSTS or hostname.endswith(".localhost")


def host_refusal(environ: dict) -> str | None:
    """Why a request's ``Host`` is refused (DNS rebinding), or None."""
    host = environ.get("HTTP_HOST", "")
    if not host or is_loopback_name(_hostname(host)):
        return None
    return (f"localcloud only answers requests addressed to 127.0.0.1 or localhost, not "
            f"{host!r} (a page that re-binds its own host name to 127.0.0.1 is refused)")


def cross_origin_refusal(environ: dict) -> str | None:
    """Why a browser request counts as cross-origin, or None for same-origin and non-browsers."""
    origin = environ.get("HTTP_ORIGIN")
    if origin is not None:
        parts = urlsplit(origin)
        own_port = str(environ.get("SERVER_PORT", ""))
        if not (is_loopback_name((parts.hostname or "").lower())
                and str(parts.port or "") == own_port):
            return (f"localcloud refuses requests from web pages of other origins "
                    f"(Origin: {origin}); call it from the SDK, the AWS CLI or curl")
    if environ.get("HTTP_SEC_FETCH_SITE") == "cross-site":
        return "localcloud refuses requests a browser sends from another site"
    return None


def admin_refusal(environ: dict, token: str | None) -> str | None:
    """Why an admin request is refused (no or wrong token), or None."""
    if token is None:
        return None
    given = environ.get("HTTP_" + TOKEN_HEADER.upper().replace("-", "_"), "")
    if secrets.compare_digest(given.encode(), token.encode()):
        return None
    return (f"the admin routes need the {TOKEN_HEADER} header with the admin_token of "
            "<state-dir>/service.json (`localcloud status` and `localcloud reset` send it)")


def refusal_response(message: str) -> Response:
    """403 in AWS's JSON error shape, so SDK users see a readable error too."""
    log.warning("Refused a request: %s", message)
    body = {"__type": "AccessDeniedException", "message": message}
    return Response(json.dumps(body), status=403, content_type="application/json",
                    headers={"x-amzn-ErrorType": "AccessDeniedException"})


def without_cors(start_response):
    """A ``start_response`` that drops ``Access-Control-*`` headers (moto adds ``*`` ones)."""

    def start(status, headers, exc_info=None):
        kept = [(name, value) for name, value in headers
                if not name.lower().startswith("access-control-")]
        return start_response(status, kept, exc_info)

    return start
