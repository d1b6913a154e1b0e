"""The registry: every service localcloud serves, in dispatch order.

Each entry names a :class:`~localcloud.services.base.Service` class as ``"module:Class"``; the
server imports it when it starts (so importing the server imports no service's internals).
Order matters twice: a request goes to the first service that recognises it, so specific
recognisers come first and moto, which takes everything else, comes last. ``start``, ``reset``
and ``shutdown`` run in this order too: a service may use, at start, any service listed before
it, and it is reset before moto's storage is cleared.
"""

from __future__ import annotations

import importlib

from .base import Service

#: (registry name, "module:Class") — adding a service is one line here.
SERVICES: list[tuple[str, str]] = [
    ("apigateway", "localcloud.apigateway.service:ApiGatewayService"),
    ("lambda", "localcloud.awslambda.service:LambdaService"),
    ("sagemaker", "localcloud.sagemaker.service:SageMakerService"),
    ("sagemaker-runtime", "localcloud.sagemaker.service:SageMakerRuntimeService"),
    ("moto", "localcloud.services.moto_backends:MotoService"),
]


def load_services(entries: list[tuple[str, str]] | None = None) -> list[Service]:
    """Instantiate the registry's services, in order."""
    services = []
    for name, target in SERVICES if entries is None else entries:
        module_name, class_name = target.split(":")
        service = getattr(importlib.import_module(module_name), class_name)()
        service.name = name
        services.append(service)
    return services
