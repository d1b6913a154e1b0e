"""Validate a request against botocore's service model, answering as AWS does.

Two layers:

1. botocore's own :class:`~botocore.validate.ParamValidator` checks required members and types
   (the same check the client runs before sending; we run it again because not every caller
   is botocore).
2. Constraints the client does not check but the service does: string length, regular
   expression ``pattern`` and ``enum`` values. AWS reports these as
   ``1 validation error detected: Value 'x' at 'trainingJobName' failed to satisfy constraint:
   Member must satisfy regular expression pattern: ...``; we produce the same sentence.
"""

from __future__ import annotations

import re
from functools import lru_cache

from botocore.model import OperationModel, Shape
from botocore.validate import ParamValidator

from .errors import AWSError

MAX_REPORTED_ERRORS = 5  # AWS lists a handful, then stops


def validate_request(operation: OperationModel, params: dict,
                     error_code: str = "ValidationException") -> None:
    """Raise an :class:`AWSError` when ``params`` do not fit the operation's input shape."""
    shape = operation.input_shape
    if shape is None:
        return
    report = ParamValidator().validate(params, shape)
    if report.has_errors():
        raise AWSError(error_code, report.generate_report())
    problems = list(_constraint_problems(params, shape, path=""))
    if problems:
        count = len(problems)
        noun = "error" if count == 1 else "errors"
        detail = "; ".join(problems[:MAX_REPORTED_ERRORS])
        raise AWSError(error_code, f"{count} validation {noun} detected: {detail}")


def _member_path(path: str, name: str) -> str:
    """AWS names members in lower camel case, joined with dots (``resourceConfig.instanceType``)."""
    camel = name[:1].lower() + name[1:]
    return f"{path}.{camel}" if path else camel


def _constraint_problems(value, shape: Shape, path: str):
    if shape.type_name == "structure" and isinstance(value, dict):
        for name, member_value in value.items():
            member_shape = shape.members.get(name)
            if member_shape is not None and member_value is not None:
                yield from _constraint_problems(member_value, member_shape,
                                                _member_path(path, name))
    elif shape.type_name == "list" and isinstance(value, list):
        yield from _length_problems(value, shape, path, "length")
        for index, item in enumerate(value, start=1):
            yield from _constraint_problems(item, shape.member, f"{path}.{index}.member")
    elif shape.type_name == "map" and isinstance(value, dict):
        for key, item in value.items():
            yield from _constraint_problems(key, shape.key, f"{path}.key")
            yield from _constraint_problems(item, shape.value, f"{path}.{key}")
    elif shape.type_name == "string" and isinstance(value, str):
        yield from _string_problems(value, shape, path)
    elif shape.type_name in ("integer", "long") and isinstance(value, int):
        yield from _range_problems(value, shape, path)


def _string_problems(value: str, shape: Shape, path: str):
    enum = shape.enum
    if enum and value not in enum:
        yield (f"Value '{value}' at '{path}' failed to satisfy constraint: "
               f"Member must satisfy enum value set: [{', '.join(enum)}]")
        return
    yield from _length_problems(value, shape, path, "length")
    pattern = shape.metadata.get("pattern")
    if pattern and not _compiled(pattern).fullmatch(value):
        yield (f"Value '{value}' at '{path}' failed to satisfy constraint: "
               f"Member must satisfy regular expression pattern: {pattern}")


def _length_problems(value, shape: Shape, path: str, what: str):
    minimum = shape.metadata.get("min")
    maximum = shape.metadata.get("max")
    shown = value if isinstance(value, str) else f"list of {len(value)}"
    if minimum is not None and len(value) < minimum:
        yield (f"Value '{shown}' at '{path}' failed to satisfy constraint: "
               f"Member must have {what} greater than or equal to {minimum}")
    if maximum is not None and len(value) > maximum:
        yield (f"Value '{shown}' at '{path}' failed to satisfy constraint: "
               f"Member must have {what} less than or equal to {maximum}")


def _range_problems(value: int, shape: Shape, path: str):
    minimum = shape.metadata.get("min")
    maximum = shape.metadata.get("max")
    if minimum is not None and value < minimum:
        yield (f"Value '{value}' at '{path}' failed to satisfy constraint: "
               f"Member must have value greater than or equal to {minimum}")
    if maximum is not None and value > maximum:
        yield (f"Value '{value}' at '{path}' failed to satisfy constraint: "
               f"Member must have value less than or equal to {maximum}")


@lru_cache(maxsize=512)
def _compiled(pattern: str) -> re.Pattern:
    # AWS patterns are Java regexes; the ones SageMaker uses are valid Python too, except
    # possessive/atomic forms we never meet. A pattern we cannot compile accepts everything.
    try:
        return re.compile(pattern, re.DOTALL)
    except re.error:
        return re.compile(".*", re.DOTALL)
