"""Validate a request against botocore's service model, answering as AWS does.

Three layers, in the service's words (not botocore's client-side wording, since not every
caller is botocore):

1. JSON types: a value of the wrong type (a string where a number belongs) cannot be read at
   all; the service answers ``SerializationException``.
2. Missing required members and the constraints the client does not check but the service
   does: string length, regular expression ``pattern`` and ``enum`` values. AWS reports these
   together as ``2 validation errors detected: Value null at 'modelName' failed to satisfy
   constraint: Member must not be null; Value 'x' at 'trainingJobName' failed to satisfy
   constraint: Member must satisfy regular expression pattern: ...``; we produce the same.
3. botocore's :class:`~botocore.validate.ParamValidator`, as a last net.
"""

from __future__ import annotations

import re
from datetime import datetime
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
    mistyped = next(_type_problems(params, shape, path=""), None)
    if mistyped:
        raise AWSError("SerializationException", mistyped)
    problems = [*_missing_members(params, shape, path=""),
                *_constraint_problems(params, shape, path="")]
    if problems:
        count = len(problems)
        noun = "error" if count == 1 else "errors"
        detail = "; ".join(problems[:MAX_REPORTED_ERRORS])
        raise AWSError(error_code, f"{count} validation {noun} detected: {detail}")
    report = ParamValidator().validate(params, shape)
    if report.has_errors():
        raise AWSError(error_code, report.generate_report())


#: What JSON value each model type takes (bool is not a number here, as in Java).
_JSON_TYPES = {"structure": (dict,), "map": (dict,), "list": (list,), "string": (str,),
               "blob": (str, bytes, bytearray), "boolean": (bool,), "integer": (int,),
               "long": (int,), "float": (int, float), "double": (int, float),
               "timestamp": (int, float, str, datetime)}


def _type_problems(value, shape: Shape, path: str):
    """Why a value cannot be read as its shape's type (the first such member wins)."""
    if value is None:
        return
    expected = _JSON_TYPES.get(shape.type_name)
    wrong_bool = isinstance(value, bool) and shape.type_name not in ("boolean",)
    if expected and (not isinstance(value, expected) or wrong_bool):
        yield (f"Cannot read {type(value).__name__} value {value!r} at '{path or 'request'}' "
               f"as {shape.type_name}")
        return
    if shape.type_name == "structure":
        for name, member_value in value.items():
            if name in shape.members:
                yield from _type_problems(member_value, shape.members[name],
                                          _member_path(path, name))
    elif shape.type_name == "list":
        for index, item in enumerate(value, start=1):
            yield from _type_problems(item, shape.member, f"{path}.{index}.member")
    elif shape.type_name == "map":
        for key, item in value.items():
            yield from _type_problems(item, shape.value, f"{path}.{key}")


def _missing_members(value, shape: Shape, path: str):
    """``Value null at 'x' ... Member must not be null`` for each missing required member."""
    if shape.type_name == "structure" and isinstance(value, dict):
        for name in shape.required_members:
            if value.get(name) is None:
                yield (f"Value null at '{_member_path(path, name)}' failed to satisfy "
                       "constraint: Member must not be null")
        for name, member_value in value.items():
            if name in shape.members:
                yield from _missing_members(member_value, shape.members[name],
                                            _member_path(path, name))
    elif shape.type_name == "list" and isinstance(value, list):
        for index, item in enumerate(value, start=1):
            yield from _missing_members(item, shape.member, f"{path}.{index}.member")


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
