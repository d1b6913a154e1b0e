"""The SageMaker runtime: ``InvokeEndpoint`` (REST-JSON ``POST /endpoints/{name}/invocations``).

Errors follow AWS (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_runtime_InvokeEndpoint.html):
an unknown endpoint is ``ValidationError: Endpoint X of account Y not found.``; a model that
answers with an error status becomes ``ModelError`` (HTTP 424) carrying the container's status
and message; a body over the real-time payload limit is refused before it reaches the model.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import urllib3

from ..aws.errors import AWSError, ModelError, ValidationError
from .hosting import Hosting, ModelServer, Reply, Variant

log = logging.getLogger(__name__)

#: Real-time inference accepts request bodies up to 6 MB.
MAX_PAYLOAD_BYTES = 6 * 1024 * 1024


@dataclass
class Invocation:
    """A parsed InvokeEndpoint request."""

    endpoint_name: str
    body: bytes
    content_type: str | None = None
    accept: str | None = None
    target_variant: str | None = None
    custom_attributes: str | None = None


@dataclass
class InvocationResult:
    body: bytes
    content_type: str
    variant_name: str


class Runtime:
    """Routes invocations to an endpoint's model servers."""

    def __init__(self, hosting: Hosting, account_id: str, region: str):
        self.hosting = hosting
        self.account_id = account_id
        self.region = region

    def invoke(self, request: Invocation) -> InvocationResult:
        if len(request.body) > MAX_PAYLOAD_BYTES:
            raise AWSError("413", f"HTTP content length exceeded {MAX_PAYLOAD_BYTES} bytes.",
                           status=413)
        endpoint = self.hosting.endpoint(request.endpoint_name)
        if endpoint is None:
            raise ValidationError(f"Endpoint {request.endpoint_name} of account "
                                  f"{self.account_id} not found.")
        deployment = endpoint.acquire()
        try:
            if request.target_variant and request.target_variant not in deployment.variants:
                raise ValidationError(
                    f"The variant {request.target_variant} was not found for endpoint "
                    f"{request.endpoint_name}.")
            variant = deployment.choose(request.target_variant)
            reply = self._send(request, variant)
        finally:
            deployment.end()
        if reply.status >= 400:
            message = reply.body.decode("utf-8", errors="replace")
            raise self._model_error(request.endpoint_name, reply.status, message)
        return InvocationResult(reply.body, reply.content_type, variant.name)

    def _send(self, request: Invocation, variant: Variant) -> Reply:
        """Send to a healthy instance; one that does not answer is reported to the health
        monitor and the request goes to the next one (as AWS routes around a failed
        instance)."""
        tried: tuple[ModelServer, ...] = ()
        while (server := variant.next_server(avoid=tried)) is not None:
            try:
                return server.invoke(request.body, request.content_type, request.accept,
                                     request.custom_attributes)
            except urllib3.exceptions.HTTPError as error:
                log.warning("Endpoint %s: instance %s did not answer (%s); trying another",
                            request.endpoint_name, server.instance_id, error)
                self.hosting.health.suspect(server)
                tried += (server,)
        raise AWSError("ServiceUnavailable",
                       f"No instance of variant {variant.name} of endpoint "
                       f"{request.endpoint_name} is healthy right now; an unhealthy instance is "
                       "being replaced. Retry the call in a few seconds.", status=503)

    def _model_error(self, endpoint_name: str, status: int, message: str) -> ModelError:
        kind = "client" if status < 500 else "server"
        group = f"/aws/sagemaker/Endpoints/{endpoint_name}"
        log_arn = f"arn:aws:logs:{self.region}:{self.account_id}:log-group:{group}"
        text = (f'Received {kind} error ({status}) from primary with message "{message}". '
                f"See the CloudWatch log group {group} in account {self.account_id} for more "
                "information.")
        return ModelError(text, OriginalStatusCode=status, OriginalMessage=message,
                          LogStreamArn=log_arn)
