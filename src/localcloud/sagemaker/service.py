"""SageMaker's two registry entries: the control plane (JSON 1.1) and the runtime (REST-JSON).

Both share one :class:`~localcloud.sagemaker.control.ControlPlane`: the runtime routes
``InvokeEndpoint`` to the model servers the control plane's hosting started.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote

from werkzeug.wrappers import Request, Response

from ..aws.errors import AWSError, InternalFailure
from ..aws.protocols import restjson_error, signing_service
from ..services.base import Json11Service, Service, ServiceContext
from .control import ControlPlane
from .persistence import SageMakerState
from .platform import Platform
from .resources import Account
from .runtime import Invocation, Runtime

log = logging.getLogger(__name__)

#: SageMaker operations that change nothing (no save needed after them).
READ_PREFIXES = ("Describe", "List", "Search", "Get")
RUNTIME_PATH = re.compile(r"^/endpoints/(?P<name>[^/]+)/invocations$")


class SageMakerService(Json11Service):
    """``X-Amz-Target: SageMaker.*``: training, hosting, transform and tuning."""

    name = "sagemaker"
    target_prefix = "SageMaker"

    def __init__(self):
        self.control: ControlPlane | None = None

    def start(self, context: ServiceContext) -> None:
        platform = Platform(context.url, context.region, context.account_id, context.state_dir)
        self.control = ControlPlane(Account(context.account_id, context.region), platform)
        self.state = SageMakerState(self.control, context.service_dir("sagemaker"))
        self.state.restore()
        self.state.start_saver()

    def operation(self, name: str, params: dict) -> dict:
        answer = self.control.handle(name, params)
        if not name.startswith(READ_PREFIXES):
            self.state.save()  # durable before the caller hears it succeeded
        return answer

    def reset(self) -> None:
        self.control.reset()
        self.state.clear()

    def shutdown(self) -> None:
        if self.control:
            self.state.stop_saver()  # the last statuses, before the servers stop
            self.control.shutdown()

    def status(self) -> dict:
        return self.control.status() if self.control else {}


class SageMakerRuntimeService(Service):
    """``POST /endpoints/{name}/invocations`` signed for ``sagemaker`` (or unsigned)."""

    name = "sagemaker-runtime"

    def __init__(self):
        self.runtime: Runtime | None = None

    def recognises(self, environ: dict) -> bool:
        return (environ.get("REQUEST_METHOD") == "POST"
                and RUNTIME_PATH.match(environ.get("PATH_INFO", "")) is not None
                and signing_service(environ.get("HTTP_AUTHORIZATION")) in ("sagemaker", None))

    def start(self, context: ServiceContext) -> None:
        control = context.service("sagemaker").control
        self.runtime = Runtime(control.hosting, context.account_id, context.region)

    def handle(self, request: Request) -> Response:
        endpoint_name = unquote(RUNTIME_PATH.match(request.environ["PATH_INFO"])["name"])
        invocation = Invocation(
            endpoint_name=endpoint_name,
            body=request.get_data(),
            content_type=request.headers.get("Content-Type"),
            accept=request.headers.get("Accept"),
            target_variant=request.headers.get("X-Amzn-SageMaker-Target-Variant"),
            custom_attributes=request.headers.get("X-Amzn-SageMaker-Custom-Attributes"),
        )
        try:
            result = self.runtime.invoke(invocation)
        except AWSError as error:
            return restjson_error(error, include_type=not error.code.isdigit())
        except Exception as error:
            log.exception("InvokeEndpoint %s failed", endpoint_name)
            return restjson_error(InternalFailure(f"localcloud failed: {error}"))
        return Response(result.body, status=200, content_type=result.content_type,
                        headers={"x-Amzn-Invoked-Production-Variant": result.variant_name})
