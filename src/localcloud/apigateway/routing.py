"""Which resource and method of a deployed REST API answers a request path.

A deployment is a snapshot of the API's resources (``GetResources`` with their methods and
integrations) taken when ``CreateDeployment`` succeeds, so changes reach callers only when the
learner deploys again, as on AWS. Matching follows API Gateway's rules: a literal path part beats
a ``{param}``, which beats a greedy ``{proxy+}``; a method beats ``ANY``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Route:
    """The resource and method that answer one request, with the path parameters found."""

    resource_path: str  # e.g. "/reviews/{id}"
    http_method: str  # the method as configured: "POST" or "ANY"
    method: dict  # the method with its "methodIntegration"
    path_parameters: dict[str, str]


def _score(template: list[str], parts: list[str]) -> tuple[int, ...] | None:
    """How specifically a resource template matches path parts (None: it does not)."""
    score = []
    for index, piece in enumerate(template):
        if piece.endswith("+}"):
            return (*score, 0) if index < len(parts) else None
        if index >= len(parts):
            return None
        if piece.startswith("{"):
            score.append(1)
        elif piece == parts[index]:
            score.append(2)
        else:
            return None
    return tuple(score) if len(template) == len(parts) else None


def _parameters(template: list[str], parts: list[str]) -> dict[str, str]:
    found = {}
    for index, piece in enumerate(template):
        if piece.endswith("+}"):
            found[piece[1:-2]] = "/".join(parts[index:])
            break
        if piece.startswith("{"):
            found[piece[1:-1]] = parts[index]
    return found


def find_route(resources: list[dict], path: str, http_method: str) -> Route | None:
    """The best route for ``path`` (e.g. ``/`` or ``/reviews/7``) and method, or None."""
    parts = [part for part in path.split("/") if part]
    candidates = []
    for resource in resources:
        template = [part for part in resource["path"].split("/") if part]
        score = _score(template, parts)
        if score is not None:
            candidates.append((score, resource, template))
    for _, resource, template in sorted(candidates, key=lambda c: c[0], reverse=True):
        methods = resource.get("resourceMethods") or {}
        chosen = http_method if http_method in methods else "ANY" if "ANY" in methods else None
        if chosen:
            return Route(resource["path"], chosen, methods[chosen],
                         _parameters(template, parts))
    return None
