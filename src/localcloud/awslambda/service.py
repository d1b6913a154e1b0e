"""Lambda's registry entry: the control plane (REST-JSON, validated against botocore's model) and
``Invoke``, which runs the handler in a warm worker subprocess (:mod:`.workers`).

All of it is ours; moto's Lambda never sees a request (its ``Invoke`` needs Docker, and without
it never runs the code). A function's boto3 reaches this localcloud only: its environment holds
the credentials of its execution role (assumed through STS), ``AWS_ENDPOINT_URL`` and the kit's
start-up hooks that refuse any host but loopback (for boto3 and for plain
sockets); nothing of the server's environment is passed
on, so credentials on the host never reach a function.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import sys
import threading
from fnmatch import fnmatch

import boto3
from werkzeug.wrappers import Request, Response

from ..aws.errors import (
    AWSError,
    InternalFailure,
    InvalidParameterValueException,
    InvalidRequestContentException,
    RequestTooLargeException,
    ResourceConflictException,
    ResourceNotFoundException,
    unknown_operation,
)
from ..aws.protocols import restjson_error, signing_service
from ..aws.restjson import RestJsonApi
from ..kit import ENDPOINT_ENV, SITE_DIR
from ..kit.hooks import GUARD_ENV
from ..safety.egress import NO_PROXY_VARIABLES, PROXY_VARIABLES
from ..safety.processes import OWNER_ENV
from ..services.base import Service, ServiceContext
from .functions import PYTHON_RUNTIME, Function, FunctionStore, check_runtime, check_timeout
from .workers import Outcome, WorkerPool, WorkerSpec

log = logging.getLogger(__name__)

#: Synchronous invocation payloads are limited to 6 MB (request and response).
MAX_PAYLOAD_BYTES = 6 * 1024 * 1024
#: Where GetFunction's ``Code.Location`` lets a client download a deployment package.
PACKAGE_PREFIX = "/_lambda/packages/"
#: Variables of the host a function may see (everything else, credentials included, is not).
PASSED_THROUGH = ("PATH", "LANG", "LC_ALL", "TMPDIR")


class LambdaService(Service):
    """AWS Lambda on localcloud."""

    name = "lambda"

    def __init__(self):
        self.api = RestJsonApi("lambda")
        self.context: ServiceContext | None = None
        self.store: FunctionStore | None = None
        self.workers: WorkerPool | None = None
        self._credentials: dict[str, dict] = {}
        self._session = boto3.session.Session(aws_access_key_id="localcloud",
                                              aws_secret_access_key="localcloud")
        self.operations = {
            "CreateFunction": self.create_function, "GetFunction": self.get_function,
            "GetFunctionConfiguration": self.get_function_configuration,
            "ListFunctions": self.list_functions, "DeleteFunction": self.delete_function,
            "UpdateFunctionCode": self.update_function_code,
            "UpdateFunctionConfiguration": self.update_function_configuration,
            "AddPermission": self.add_permission, "RemovePermission": self.remove_permission,
            "GetPolicy": self.get_policy, "Invoke": self.invoke_operation,
        }

    # -- registry hooks -------------------------------------------------------------------------

    def recognises(self, environ: dict) -> bool:
        return (signing_service(environ.get("HTTP_AUTHORIZATION")) == "lambda"
                or environ.get("PATH_INFO", "").startswith(PACKAGE_PREFIX))

    def start(self, context: ServiceContext) -> None:
        self.context = context
        self.store = FunctionStore(context.service_dir("lambda"), context.account_id,
                                   context.region)
        self._iam = self._client("iam")
        self._sts = self._client("sts")
        self.workers = WorkerPool(self._client("logs"))

    def _client(self, service: str):
        return self._session.client(service, endpoint_url=self.context.url,
                                    region_name=self.context.region)

    def reset(self) -> None:
        self.workers.stop_all()
        self.store.clear()
        self._credentials.clear()

    def shutdown(self) -> None:
        if self.workers:
            self.workers.shutdown()

    def status(self) -> dict:
        if not self.store:
            return {}
        return {"lambda_functions": [function.name for function in self.store.all()],
                "lambda_workers": self.workers.count()}

    def handle(self, request: Request) -> Response:
        operation = "?"
        if request.path.startswith(PACKAGE_PREFIX):
            return self._package_download(request.path)
        try:
            operation, params = self.api.parse(request)
            handler = self.operations.get(operation)
            if handler is None:
                raise unknown_operation(f"Lambda.{operation}")
            result = handler(params)
            return result if isinstance(result, Response) else self.api.respond(operation,
                                                                                result)
        except AWSError as error:
            log.info("Lambda.%s -> %s: %s", operation, error.code, error.message)
            return restjson_error(error)
        except Exception as error:
            log.exception("Lambda.%s failed", operation)
            return restjson_error(InternalFailure(f"localcloud failed: {error}"))

    # -- control plane --------------------------------------------------------------------------

    def create_function(self, params: dict) -> dict:
        check_runtime(params.get("Runtime"))
        if params.get("PackageType", "Zip") != "Zip":
            raise InvalidParameterValueException(
                "localcloud runs .zip deployment packages only (PackageType Zip)")
        if "Handler" not in params:
            raise InvalidParameterValueException("Handler is required for a Zip function")
        self._check_role(params["Role"])
        check_timeout(params.get("Timeout", 3))
        function = Function(
            name=params["FunctionName"], arn=self.store.arn(params["FunctionName"]),
            runtime=params["Runtime"], role=params["Role"], handler=params["Handler"],
            code_sha256="", code_size=0, description=params.get("Description", ""),
            timeout=params.get("Timeout", 3), memory_size=params.get("MemorySize", 128),
            environment=params.get("Environment", {}).get("Variables", {}),
            tags=params.get("Tags", {}))
        self.store.add(function, self._package(params["Code"]))
        log.info("Created Lambda function %s (%s, handler %s)", function.name,
                 function.runtime, function.handler)
        return function.configuration()

    def _package(self, code: dict) -> bytes:
        """A deployment package from ``ZipFile`` bytes or an S3 object."""
        if "ZipFile" in code:
            return code["ZipFile"]
        if "S3Bucket" in code and "S3Key" in code:
            s3 = self._client("s3")
            try:
                return s3.get_object(Bucket=code["S3Bucket"], Key=code["S3Key"])["Body"].read()
            except s3.exceptions.ClientError as error:
                raise InvalidParameterValueException(
                    f"Error occurred while GetObject. S3 Error Code: "
                    f"{error.response['Error']['Code']}. S3 Error Message: "
                    f"{error.response['Error']['Message']}") from None
        raise InvalidParameterValueException(
            "Please provide a source for function code: ZipFile, or S3Bucket and S3Key.")

    def _check_role(self, role_arn: str) -> None:
        role_name = role_arn.rsplit("/", 1)[-1]
        try:
            self._iam.get_role(RoleName=role_name)
        except self._iam.exceptions.NoSuchEntityException:
            raise InvalidParameterValueException(
                "The role defined for the function cannot be assumed by Lambda.") from None

    def get_function(self, params: dict) -> dict:
        function = self.store.get(params["FunctionName"])
        location = f"{self.context.url}{PACKAGE_PREFIX}{function.name}.zip"
        return {"Configuration": function.configuration(),
                "Code": {"RepositoryType": "S3", "Location": location},
                "Tags": function.tags}

    def get_function_configuration(self, params: dict) -> dict:
        return self.store.get(params["FunctionName"]).configuration()

    def list_functions(self, params: dict) -> dict:
        functions = [function.configuration() for function in self.store.all()]
        start = int(params.get("Marker") or 0)
        size = params.get("MaxItems", 50)
        page = functions[start:start + size]
        result = {"Functions": page}
        if start + size < len(functions):
            result["NextMarker"] = str(start + size)
        return result

    def delete_function(self, params: dict) -> dict:
        function = self.store.get(params["FunctionName"])
        self.store.remove(function)
        self.workers.retire(function.name)
        log.info("Deleted Lambda function %s", function.name)
        return {"StatusCode": 204}

    def update_function_code(self, params: dict) -> dict:
        function = self.store.get(params["FunctionName"])
        self._check_revision(function, params)
        self.store.write_code(function, self._package(params))
        function.touch()
        self.store.save(function)
        self.workers.retire(function.name)
        return function.configuration()

    def update_function_configuration(self, params: dict) -> dict:
        function = self.store.get(params["FunctionName"])
        self._check_revision(function, params)
        if "Runtime" in params:
            check_runtime(params["Runtime"])
            function.runtime = params["Runtime"]
        if "Role" in params:
            self._check_role(params["Role"])
            function.role = params["Role"]
            self._credentials.pop(function.name, None)
        if "Timeout" in params:
            check_timeout(params["Timeout"])
        for key, attribute in (("Handler", "handler"), ("Description", "description"),
                               ("Timeout", "timeout"), ("MemorySize", "memory_size")):
            if key in params:
                setattr(function, attribute, params[key])
        if "Environment" in params:
            function.environment = params["Environment"].get("Variables", {})
        function.touch()
        self.store.save(function)
        self.workers.retire(function.name)
        return function.configuration()

    @staticmethod
    def _check_revision(function: Function, params: dict) -> None:
        if params.get("RevisionId") and params["RevisionId"] != function.revision_id:
            raise AWSError("PreconditionFailedException",
                           "The Revision Id provided does not match the latest Revision Id. "
                           "Call the GetFunction/GetAlias API to retrieve the latest Revision Id",
                           status=412)

    # -- resource policy ------------------------------------------------------------------------

    def add_permission(self, params: dict) -> dict:
        function = self.store.get(params["FunctionName"])
        if any(s["Sid"] == params["StatementId"] for s in function.statements):
            raise ResourceConflictException(
                f"The statement id ({params['StatementId']}) provided already exists. Please "
                "provide a new statement id, or remove the existing statement.")
        principal = params["Principal"]
        statement = {
            "Sid": params["StatementId"], "Effect": "Allow",
            "Principal": {"Service": principal} if "." in principal else {"AWS": principal},
            "Action": params["Action"], "Resource": function.arn,
        }
        condition = {}
        if "SourceArn" in params:
            condition["ArnLike"] = {"AWS:SourceArn": params["SourceArn"]}
        if "SourceAccount" in params:
            condition["StringEquals"] = {"AWS:SourceAccount": params["SourceAccount"]}
        if condition:
            statement["Condition"] = condition
        function.statements.append(statement)
        function.touch(new_workers=False)
        self.store.save(function)
        return {"Statement": json.dumps(statement)}

    def remove_permission(self, params: dict) -> dict:
        function = self.store.get(params["FunctionName"])
        kept = [s for s in function.statements if s["Sid"] != params["StatementId"]]
        if len(kept) == len(function.statements):
            raise ResourceNotFoundException(
                f"Statement {params['StatementId']} is not found in resource policy.")
        function.statements = kept
        function.touch(new_workers=False)
        self.store.save(function)
        return {}

    def get_policy(self, params: dict) -> dict:
        function = self.store.get(params["FunctionName"])
        if not function.statements:
            raise ResourceNotFoundException("The resource you requested does not exist.")
        policy = {"Version": "2012-10-17", "Id": "default", "Statement": function.statements}
        return {"Policy": json.dumps(policy), "RevisionId": function.revision_id}

    def allows(self, function_name_or_arn: str, service_principal: str, source_arn: str) -> bool:
        """Does the function's resource policy let ``service_principal`` invoke it from
        ``source_arn``? (API Gateway asks before it calls a function.)"""
        function = self.store.get(function_name_or_arn)
        for statement in function.statements:
            action_ok = statement["Action"] in ("lambda:InvokeFunction", "lambda:*")
            principal_ok = statement["Principal"].get("Service") == service_principal
            pattern = statement.get("Condition", {}).get("ArnLike", {}).get("AWS:SourceArn")
            if action_ok and principal_ok and (pattern is None or fnmatch(source_arn, pattern)):
                return True
        return False

    # -- invoke ---------------------------------------------------------------------------------

    def invoke_operation(self, params: dict) -> Response | dict:
        function = self.store.get(params["FunctionName"])
        payload = params.get("Payload") or b""
        if len(payload) > MAX_PAYLOAD_BYTES:
            raise RequestTooLargeException(
                f"Request must be smaller than {MAX_PAYLOAD_BYTES} bytes for the "
                "InvokeFunction operation")
        _check_json(payload)
        kind = params.get("InvocationType", "RequestResponse")
        if kind == "DryRun":
            return {"StatusCode": 204}
        if kind == "Event":
            threading.Thread(target=self.invoke, args=(function.name, payload),
                             daemon=True, name=f"lambda-event:{function.name}").start()
            return {"StatusCode": 202}
        outcome = self.invoke(function.name, payload, params.get("ClientContext"))
        result = {"StatusCode": 200, "Payload": outcome.payload,
                  "ExecutedVersion": "$LATEST"}
        if outcome.error:
            result["FunctionError"] = "Unhandled"
        if params.get("LogType") == "Tail":
            result["LogResult"] = base64.b64encode(outcome.log_tail.encode()).decode()
        return result

    def invoke(self, function_name_or_arn: str, payload: bytes,
               client_context: str | None = None) -> Outcome:
        """Run the function on ``payload`` (JSON bytes) and wait for its outcome.

        This is the interface other services (API Gateway) call a function through.
        """
        function = self.store.get(function_name_or_arn)
        outcome = self.workers.invoke(self._spec(function), payload, client_context)
        if len(outcome.payload) > MAX_PAYLOAD_BYTES:
            outcome.error = {"errorType": "Function.ResponseSizeTooLarge",
                             "errorMessage": "Response payload size exceeded maximum allowed "
                                             f"payload size ({MAX_PAYLOAD_BYTES} bytes)."}
            outcome.payload = json.dumps(outcome.error).encode()
        return outcome

    def _spec(self, function: Function) -> WorkerSpec:
        notes = []
        version = PYTHON_RUNTIME.match(function.runtime)[1]
        running = f"{sys.version_info.major}.{sys.version_info.minor}"
        if f"3.{version}" != running:
            notes.append(f"localcloud: runtime {function.runtime} runs on the course's Python "
                         f"{running}")
            log.info("Function %s (%s) runs on Python %s", function.name, function.runtime,
                     running)
        return WorkerSpec(function_name=function.name,
                          log_group=f"/aws/lambda/{function.name}",
                          code_dir=str(self.store.code_dir(function)),
                          environment=self._environment(function),
                          timeout=float(function.timeout), memory_mb=function.memory_size,
                          generation=function.generation, init_notes=notes)

    def _environment(self, function: Function) -> dict[str, str]:
        """What a worker sees: Lambda's variables, the role's credentials, localcloud's URL."""
        credentials = self._role_credentials(function)
        code_dir = str(self.store.code_dir(function))
        isolated = self.store.folder / function.name / "no-aws-config"
        env = {key: os.environ[key] for key in PASSED_THROUGH if key in os.environ}
        env.update({
            "AWS_LAMBDA_FUNCTION_NAME": function.name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_size),
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{function.name}",
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{function.runtime}",
            "LOCALCLOUD_LAMBDA_FUNCTION_ARN": function.arn,
            "AWS_REGION": self.context.region, "AWS_DEFAULT_REGION": self.context.region,
            "LAMBDA_TASK_ROOT": code_dir, "LAMBDA_RUNTIME_DIR": code_dir,
            "_HANDLER": function.handler, "TZ": ":UTC", "HOME": code_dir,
            "AWS_ACCESS_KEY_ID": credentials["AccessKeyId"],
            "AWS_SECRET_ACCESS_KEY": credentials["SecretAccessKey"],
            "AWS_SESSION_TOKEN": credentials["SessionToken"],
            # localcloud: every AWS call of the function comes back here, and nowhere else.
            "AWS_ENDPOINT_URL": self.context.url, ENDPOINT_ENV: self.context.url,
            "AWS_CONFIG_FILE": str(isolated), "AWS_SHARED_CREDENTIALS_FILE": str(isolated),
            "AWS_EC2_METADATA_DISABLED": "true", GUARD_ENV: "1",
            "PYTHONPATH": os.pathsep.join([str(SITE_DIR), code_dir]),
        })
        env.update(function.environment)
        # The server's owner marker (reaped with the service after a crash) and egress guard.
        env.update({name: os.environ[name] for name in (OWNER_ENV, *PROXY_VARIABLES,
                                                         *NO_PROXY_VARIABLES)
                    if name in os.environ})
        return env

    def _role_credentials(self, function: Function) -> dict:
        """Temporary credentials of the function's execution role (cached per function)."""
        cached = self._credentials.get(function.name)
        if cached is None:
            cached = self._sts.assume_role(RoleArn=function.role,
                                           RoleSessionName=function.name)["Credentials"]
            self._credentials[function.name] = cached
        return cached

    def _package_download(self, path: str) -> Response:
        """The deployment package GetFunction's ``Code.Location`` points at."""
        name = path[len(PACKAGE_PREFIX):].removesuffix(".zip")
        try:
            function = self.store.get(name)
        except AWSError as error:
            return restjson_error(error)
        return Response(self.store.package_path(function).read_bytes(),
                        content_type="application/zip")


def _check_json(payload: bytes) -> None:
    if not payload:
        return
    try:
        json.loads(payload)
    except ValueError as error:
        raise InvalidRequestContentException(
            f"Could not parse request body into json: Could not parse payload into json: "
            f"{error}") from None
