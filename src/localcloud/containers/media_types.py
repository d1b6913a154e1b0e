"""Media types in ``Content-Type`` and ``Accept`` headers, as the model servers compare them.

``text/csv; charset=utf-8`` names the media type ``text/csv`` with the parameter ``charset``.
Types and parameter names are case-insensitive (RFC 9110, sections 8.3.1 and 12.5.1), so they
are returned lower-cased. Quality values (``;q=0.5``) are not weighed: like SageMaker's
containers, the servers take the types of an Accept header in the order they are listed.
"""

from __future__ import annotations


def media_type(header: str | None) -> str:
    """``Text/CSV; charset=utf-8`` -> ``text/csv`` (``""`` for a missing header)."""
    return (header or "").split(";", 1)[0].strip().lower()


def media_parameters(header: str | None) -> dict[str, str]:
    """``text/csv; label_size=1`` -> ``{"label_size": "1"}`` (names lower-cased)."""
    parameters = {}
    for parameter in (header or "").split(";")[1:]:
        name, _, value = parameter.partition("=")
        parameters[name.strip().lower()] = value.strip()
    return parameters


def accepted_types(accept: str | None) -> list[str]:
    """The media types an Accept header lists, in order (``[]`` when it lists none)."""
    return [media_type(part) for part in (accept or "").split(",") if part.strip()]
