"""Lambda functions: their configuration, code and resource policy, kept in the state directory.

Each function lives in ``<state-dir>/lambda/functions/<name>/``: ``function.json`` (the
configuration and policy) and ``code/`` (the unpacked deployment package), so functions survive
a restart of localcloud.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import logging
import re
import shutil
import threading
import uuid
import zipfile
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from ..aws.errors import (
    InvalidParameterValueException,
    ResourceConflictException,
    ResourceNotFoundException,
)

log = logging.getLogger(__name__)

#: The Python runtimes Lambda has offered; all run on the course's Python (see ``notes``).
PYTHON_RUNTIME = re.compile(r"^python3\.(\d+)$")
#: Deployment packages uploaded directly are limited to 50 MB (zipped) on AWS.
MAX_ZIP_BYTES = 50 * 1024 * 1024
FUNCTION_ARN = re.compile(r"^arn:aws[\w-]*:lambda:[\w-]+:\d{12}:function:(?P<name>[\w-]+)"
                          r"(:(?P<qualifier>[\w$-]+))?$")


def now_text() -> str:
    """Lambda's LastModified format: ``2026-12-05T10:00:00.000+0000``."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+0000"


@dataclass
class Function:
    """One function's configuration as GetFunctionConfiguration shows it, plus its policy."""

    name: str
    arn: str
    runtime: str
    role: str
    handler: str
    code_sha256: str
    code_size: int
    description: str = ""
    timeout: int = 3
    memory_size: int = 128
    environment: dict[str, str] = field(default_factory=dict)
    last_modified: str = field(default_factory=now_text)
    revision_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    statements: list[dict] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)
    generation: int = 0  # bumped on every change that needs fresh workers

    def configuration(self) -> dict:
        config = {
            "FunctionName": self.name, "FunctionArn": self.arn, "Runtime": self.runtime,
            "Role": self.role, "Handler": self.handler, "CodeSize": self.code_size,
            "Description": self.description, "Timeout": self.timeout,
            "MemorySize": self.memory_size, "LastModified": self.last_modified,
            "CodeSha256": self.code_sha256, "Version": "$LATEST",
            "TracingConfig": {"Mode": "PassThrough"}, "RevisionId": self.revision_id,
            "State": "Active", "LastUpdateStatus": "Successful", "PackageType": "Zip",
            "Architectures": ["x86_64"], "EphemeralStorage": {"Size": 512},
            "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{self.name}"},
        }
        if self.environment:
            config["Environment"] = {"Variables": dict(self.environment)}
        return config

    def touch(self, new_workers: bool = True) -> None:
        self.last_modified = now_text()
        self.revision_id = str(uuid.uuid4())
        if new_workers:
            self.generation += 1


def check_runtime(runtime: str) -> None:
    if not PYTHON_RUNTIME.match(runtime or ""):
        raise InvalidParameterValueException(
            f"localcloud runs Python functions only; runtime {runtime!r} is not supported. "
            "Use a python3.x runtime (e.g. python3.11).")


def check_timeout(timeout: int) -> None:
    if not 1 <= timeout <= 900:
        raise InvalidParameterValueException(
            f"Timeout {timeout} is out of range: a function may run 1 to 900 seconds.")


class FunctionStore:
    """Every function of the account, on disk and in memory."""

    def __init__(self, folder: Path, account_id: str, region: str):
        self.folder = folder / "functions"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.account_id = account_id
        self.region = region
        self._functions: dict[str, Function] = {}
        self._lock = threading.Lock()
        self._load()

    def _load(self) -> None:
        for config in sorted(self.folder.glob("*/function.json")):
            try:
                function = Function(**json.loads(config.read_text()))
            except (ValueError, TypeError) as error:
                log.warning("Skipping unreadable Lambda function %s: %s", config.parent, error)
                continue
            self._functions[function.name] = function
        if self._functions:
            log.info("Loaded %d Lambda functions from %s", len(self._functions), self.folder)

    def arn(self, name: str) -> str:
        return f"arn:aws:lambda:{self.region}:{self.account_id}:function:{name}"

    def resolve_name(self, name_or_arn: str) -> str:
        """A function name from a name, a partial ARN or a full ARN (any qualifier dropped)."""
        match = FUNCTION_ARN.match(name_or_arn)
        if match:
            return match["name"]
        if name_or_arn.count(":") == 2 and name_or_arn.split(":")[1] == "function":
            return name_or_arn.split(":")[2]  # 123456789012:function:name
        return name_or_arn.split(":", 1)[0]  # name or name:qualifier

    def get(self, name_or_arn: str) -> Function:
        name = self.resolve_name(name_or_arn)
        with self._lock:
            function = self._functions.get(name)
        if function is None:
            raise ResourceNotFoundException(f"Function not found: {self.arn(name)}")
        return function

    def all(self) -> list[Function]:
        with self._lock:
            return sorted(self._functions.values(), key=lambda f: f.name)

    def add(self, function: Function, package: bytes) -> Function:
        with self._lock:
            if function.name in self._functions:
                raise ResourceConflictException(f"Function already exist: {function.name}")
            self._functions[function.name] = function
        try:
            self.write_code(function, package)
        except Exception:
            with self._lock:
                self._functions.pop(function.name, None)
            shutil.rmtree(self.folder / function.name, ignore_errors=True)
            raise
        self.save(function)
        return function

    def remove(self, function: Function) -> None:
        with self._lock:
            self._functions.pop(function.name, None)
        shutil.rmtree(self.folder / function.name, ignore_errors=True)

    def clear(self) -> None:
        for function in self.all():
            self.remove(function)

    def save(self, function: Function) -> None:
        path = self.folder / function.name / "function.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(asdict(function), indent=1))
        temporary.replace(path)

    def code_dir(self, function: Function) -> Path:
        return self.folder / function.name / "code"

    def package_path(self, function: Function) -> Path:
        return self.folder / function.name / "package.zip"

    def write_code(self, function: Function, package: bytes) -> None:
        """Unpack a deployment package as the function's code (replacing the old code)."""
        if len(package) > MAX_ZIP_BYTES:
            raise InvalidParameterValueException(
                f"Unzipped size must be smaller than {MAX_ZIP_BYTES} bytes")
        try:
            archive = zipfile.ZipFile(io.BytesIO(package))
        except zipfile.BadZipFile:
            raise InvalidParameterValueException(
                "Could not unzip uploaded file. Please check your file, then try to upload "
                "again.") from None
        staging = self.folder / function.name / "code.new"
        shutil.rmtree(staging, ignore_errors=True)
        with archive:
            _safe_extract(archive, staging)
        target = self.code_dir(function)
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
        self.package_path(function).write_bytes(package)
        function.code_sha256 = base64.b64encode(hashlib.sha256(package).digest()).decode()
        function.code_size = len(package)


def _safe_extract(archive: zipfile.ZipFile, destination: Path) -> None:
    """Extract, refusing members that would land outside ``destination``."""
    destination.mkdir(parents=True)
    root = destination.resolve()
    for member in archive.infolist():
        target = (destination / member.filename).resolve()
        if not target.is_relative_to(root):
            raise InvalidParameterValueException(
                f"The deployment package has a file outside its root: {member.filename}")
    archive.extractall(destination)
