"""Script-mode serving: what a framework image does when SageMaker starts it with ``serve``.

As sagemaker-inference-toolkit's ``Transformer`` (and the older ``sagemaker_containers``
serving): find the learner's code (``SAGEMAKER_SUBMIT_DIRECTORY``), install its
``requirements.txt``, import the module ``SAGEMAKER_PROGRAM`` names, and load the model with its
``model_fn(model_dir)``. Each request then runs either

- ``transform_fn(model, body, content_type, accept)``, or
- ``input_fn(body, content_type)`` -> ``predict_fn(data, model)`` -> ``output_fn(prediction,
  accept)``,

where any function the script does not define is the framework's default (see
:class:`FrameworkDefaults`). A script may not mix ``transform_fn`` with the other three. Each
function may take one more trailing argument, the request ``context``, as in the toolkit.

``application/json`` and ``text/csv`` bodies reach ``input_fn`` as ``str``, every other body as
``bytes``. An Accept header that is missing or ``*/*`` means
``SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT`` (``application/json`` unless set). ``output_fn`` may
return the body alone (its content type is then the Accept type) or a ``(body, content_type)``
pair; the response carries exactly that content type, which is what the SDK's deserializers
compare.
"""

from __future__ import annotations

import importlib
import inspect
import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Protocol

from localcloud.containers.contract import MLPaths
from localcloud.containers.errors import ClientError
from localcloud.containers.media_types import accepted_types, media_type

from . import encoders
from .code import COMPAT_DIR, container_path, fetch_code, install_requirements

log = logging.getLogger(__name__)

PROGRAM_ENV = "SAGEMAKER_PROGRAM"
SUBMIT_DIRECTORY_ENV = "SAGEMAKER_SUBMIT_DIRECTORY"
DEFAULT_ACCEPT_ENV = "SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT"
#: The module imported when SAGEMAKER_PROGRAM is not set (the inference toolkit's default).
DEFAULT_MODULE = "inference"
HANDLER_NAMES = ("model_fn", "input_fn", "predict_fn", "output_fn", "transform_fn")


class FrameworkDefaults(Protocol):
    """The default handlers of one framework's serving container."""

    name: str

    def model_fn(self, model_dir: str): ...

    def input_fn(self, body: str | bytes, content_type: str): ...

    def predict_fn(self, data, model): ...

    def output_fn(self, prediction, accepts: list[str]) -> tuple[bytes, str]:
        """Encode with the first of ``accepts`` the framework can write."""


@dataclass
class Context:
    """The request context passed to handlers that take one more argument."""

    model_dir: str
    content_type: str
    accept: str

    @property
    def system_properties(self) -> dict:
        return {"model_dir": self.model_dir, "gpu_id": None}


class UserScriptError(ClientError):
    """The learner's serving code cannot be used as it is (HTTP 400 / failed deployment)."""


class ScriptHandler:
    """Serves a model with the learner's handler functions (an ``InferenceHandler``)."""

    def __init__(self, defaults: FrameworkDefaults):
        self.defaults = defaults
        self.model = None
        self.model_dir = ""
        self.module: ModuleType | None = None
        self.default_accept = os.environ.get(DEFAULT_ACCEPT_ENV) or encoders.JSON

    # -- loading ------------------------------------------------------------------------------

    def load(self, model_dir: Path) -> None:
        """Import the learner's module and load the model with its ``model_fn``."""
        self.model_dir = str(model_dir)
        self.module = import_user_module(MLPaths(model_dir.parent))
        _check_handlers(self.module)
        log.info("Loading the model with %s", self._describe("model_fn"))
        self.model = self._call("model_fn", self.model_dir)
        log.info("Model loaded (%s)", type(self.model).__name__)

    def _function(self, name: str):
        user = getattr(self.module, name, None) if self.module else None
        return user if callable(user) else None

    def _describe(self, name: str) -> str:
        if self._function(name):
            return f"{name} of {self.module.__name__}.py"
        return f"the default {name} of the {self.defaults.name} container"

    def _call(self, name: str, *args, context: Context | None = None):
        user = self._function(name)
        if user is None:
            return getattr(self.defaults, name)(*args)
        if _takes_context(user, len(args)):
            return user(*args, context)
        return user(*args)

    # -- invocations --------------------------------------------------------------------------

    def invoke(self, body: bytes, content_type: str, accept: str) -> tuple[bytes, str]:
        content_type = media_type(content_type)
        accepts = [kind for kind in accepted_types(accept) if kind != "*/*"] or \
            [self.default_accept]
        context = Context(self.model_dir, content_type, accepts[0])
        data = body.decode("utf-8") if content_type in encoders.UTF8_TYPES else body
        if self._function("transform_fn"):
            result = self._call("transform_fn", self.model, data, content_type, accepts[0],
                                context=context)
            return response(result, accepts[0])
        features = self._call("input_fn", data, content_type, context=context)
        prediction = self._call("predict_fn", features, self.model, context=context)
        if self._function("output_fn"):
            return response(self._call("output_fn", prediction, accepts[0], context=context),
                            accepts[0])
        return self.defaults.output_fn(prediction, accepts)


def import_user_module(paths: MLPaths) -> ModuleType:
    """Fetch the code ``SAGEMAKER_SUBMIT_DIRECTORY`` names and import ``SAGEMAKER_PROGRAM``."""
    program = os.environ.get(PROGRAM_ENV) or f"{DEFAULT_MODULE}.py"
    module_name = program.removesuffix(".py")
    location = os.environ.get(SUBMIT_DIRECTORY_ENV) or str(paths.model_dir / "code")
    # Each server process gets its own copy: instances of a variant share the model folder.
    code_dir = fetch_code(location, paths.root / f"code-{os.getpid()}", paths) \
        if location.startswith("s3://") else _local_code_dir(location, paths)
    site_dirs = install_requirements(code_dir, paths.root / f"overlay-{os.getpid()}")
    for folder in (COMPAT_DIR, *reversed(site_dirs), code_dir):
        if str(folder) not in sys.path:
            sys.path.insert(0, str(folder))
    if not (code_dir / program).exists() and not (code_dir / module_name).is_dir():
        raise UserScriptError(f"{SUBMIT_DIRECTORY_ENV} ({location}) holds no {program}: "
                              f"it has {sorted(p.name for p in code_dir.iterdir())}. Check the "
                              "model's entry_point and source_dir")
    log.info("Importing the inference script %s from %s", program, location)
    return importlib.import_module(module_name)


def _local_code_dir(location: str, paths: MLPaths) -> Path:
    folder = container_path(location, paths)
    if folder.is_file():  # a tarball inside the container
        return fetch_code(location, paths.root / f"code-{os.getpid()}", paths)
    if not folder.is_dir():
        raise UserScriptError(f"{SUBMIT_DIRECTORY_ENV} names {location}, which does not exist "
                              "in the model: deploy a model.tar.gz with a code/ folder, or an "
                              "S3 URI of a sourcedir.tar.gz")
    return folder


def _check_handlers(module: ModuleType) -> None:
    """The toolkit's rule: ``transform_fn`` replaces the input/predict/output chain."""
    chain = [name for name in ("input_fn", "predict_fn", "output_fn")
             if callable(getattr(module, name, None))]
    if callable(getattr(module, "transform_fn", None)) and chain:
        raise UserScriptError("Cannot use transform_fn implementation in conjunction with "
                              f"input_fn, predict_fn, and/or output_fn ({module.__name__}.py "
                              f"defines transform_fn and {', '.join(chain)})")


def _takes_context(function, positional: int) -> bool:
    """Whether a handler declares one more positional parameter than the toolkit passes."""
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return False
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return len([p for p in parameters if p.kind in kinds]) == positional + 1


def response(result, accept: str) -> tuple[bytes, str]:
    """A handler's return value as (body, content type).

    ``(body, content_type)`` pairs and ``sagemaker_containers`` ``worker.Response`` objects
    carry their own type; a bare body is of the Accept type.
    """
    if isinstance(result, tuple) and len(result) == 2:
        body, content_type = result
    elif hasattr(result, "mimetype") and hasattr(result, "response"):
        body, content_type = result.response, result.mimetype
    else:
        body, content_type = result, accept
    if isinstance(body, str):
        body = body.encode("utf-8")
    if not isinstance(body, bytes | bytearray):
        raise TypeError(f"output_fn/transform_fn returned {type(body).__name__}; return the "
                        "serialized body (bytes or str), or a (body, content_type) pair")
    return bytes(body), media_type(content_type) or accept
