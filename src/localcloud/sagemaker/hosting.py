"""Real-time hosting: models, endpoint configs, endpoints, and the model servers behind them.

An endpoint runs one model-server subprocess per variant instance, each following the container
contract (``GET /ping``, ``POST /invocations``). Requests are routed by variant weight. An update
is blue/green: the new configuration's servers start and pass their health check before traffic
moves to them; requests already running on the old servers finish before those stop; if the new
servers fail, traffic never moves and the endpoint says why.

Health: as on AWS, an instance whose server dies or stops answering ``/ping`` is replaced
(:class:`HealthMonitor`). Meanwhile requests go to the variant's healthy instances, and a request
whose server fails to answer is retried on another one, so an endpoint with two or more instances
loses no request; with one instance, calls fail with ``ServiceUnavailable`` until the
replacement answers. Each replacement is logged in the endpoint's log group.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import random
import shutil
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import urllib3

from ..aws.errors import AWSError, ValidationError, validation
from ..containers.contract import BIND_PORT_ENV, ML_ROOT_ENV, MLPaths
from ..containers.registry import IMAGE_ENV
from .images import UnknownImage, resolve_image
from .platform import Platform, kill_tree, unpack_model
from .resources import (
    Account,
    ByName,
    Resource,
    ResourceTable,
    TagStore,
    list_response,
    now,
    pick,
)

log = logging.getLogger(__name__)

PING_TIMEOUT_SECONDS = 120
# A warm model server answers /ping a few milliseconds after it starts, a cold one after a
# second or more: ping soon, then less often.
FIRST_PING_INTERVAL_SECONDS = 0.005
LAST_PING_INTERVAL_SECONDS = 0.05
INVOKE_TIMEOUT_SECONDS = 60  # AWS's limit for a real-time invocation
HEALTH_CHECK_SECONDS = 0.5  # how often each model server is checked
HEALTH_PING_TIMEOUT_SECONDS = 2.0
UNANSWERED_PINGS_BEFORE_REPLACEMENT = 3  # a busy server may miss one ping; three is a hang


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Reply:
    """A model server's answer to one invocation."""

    status: int
    body: bytes
    content_type: str


class ModelServer:
    """One variant instance: a serving container subprocess and a connection pool to it."""

    def __init__(self, platform: Platform, root: Path, image, environment: dict,
                 log_group: str, stream_name: str):
        self.platform = platform
        self.paths = MLPaths(root)
        self.image = image
        self.environment = environment
        self.log_group = log_group
        self.stream_name = stream_name
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.pool = urllib3.HTTPConnectionPool("127.0.0.1", self.port, maxsize=16, block=False,
                                               retries=False)
        self.output_tail: list[str] = []
        self.environment_extra: dict | None = None  # what the platform added (for replacing)
        self.healthy = True  # False once the health monitor (or a failed request) doubts it
        self.unanswered_pings = 0

    @property
    def instance_id(self) -> str:
        return self.stream_name.rsplit("/", 1)[-1]

    def start(self) -> None:
        env = {**self.environment, ML_ROOT_ENV: str(self.paths.root), IMAGE_ENV: self.image.uri,
               BIND_PORT_ENV: str(self.port), "AWS_ENDPOINT_URL": self.platform.endpoint_url,
               "AWS_DEFAULT_REGION": self.platform.region}
        self.stream = self.platform.log_stream(self.log_group, self.stream_name,
                                               container_root=self.paths.root)
        self.process = self.platform.start_container("serve", self.image.algorithm, env,
                                                     self.paths.root)
        threading.Thread(target=self._pump_output, daemon=True,
                         name=f"serve:{self.stream_name}").start()
        self._wait_healthy()

    def _pump_output(self) -> None:
        for line in self.process.stdout:
            self.stream.write(line)
            self.output_tail = (self.output_tail + [line.rstrip()])[-20:]
        self.stream.close()

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + PING_TIMEOUT_SECONDS
        interval = FIRST_PING_INTERVAL_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = "\n".join(self.output_tail[-5:])
                raise RuntimeError(f"The model server exited with code {self.process.returncode} "
                                   f"before passing its health check. Last log lines:\n{tail}")
            try:
                if self.pool.request("GET", "/ping", timeout=1.0).status == 200:
                    return
            except urllib3.exceptions.HTTPError:
                pass
            with contextlib.suppress(subprocess.TimeoutExpired):  # wakes early if it exits
                self.process.wait(timeout=interval)
            interval = min(interval * 2, LAST_PING_INTERVAL_SECONDS)
        raise RuntimeError(f"The model server did not pass its /ping health check within "
                           f"{PING_TIMEOUT_SECONDS} seconds")

    def invoke(self, body: bytes, content_type: str | None, accept: str | None,
               custom_attributes: str | None = None) -> Reply:
        headers = {"Content-Type": content_type or "application/octet-stream"}
        if accept:
            headers["Accept"] = accept
        if custom_attributes:
            headers["X-Amzn-SageMaker-Custom-Attributes"] = custom_attributes
        response = self.pool.request("POST", "/invocations", body=body, headers=headers,
                                     timeout=INVOKE_TIMEOUT_SECONDS)
        return Reply(response.status, response.data,
                     response.headers.get("Content-Type", "application/octet-stream"))

    def check(self) -> str | None:
        """One health check: why the server is unhealthy, or None when it answers ``/ping``."""
        code = self.process.poll() if self.process else None
        if code is not None:
            return f"its model server exited with code {code}"
        try:
            status = self.pool.request("GET", "/ping", timeout=HEALTH_PING_TIMEOUT_SECONDS,
                                       retries=False).status
        except urllib3.exceptions.HTTPError:
            status = None
        if status == 200:
            self.unanswered_pings = 0
            return None
        self.unanswered_pings += 1
        if self.unanswered_pings >= UNANSWERED_PINGS_BEFORE_REPLACEMENT:
            return f"its model server did not answer /ping {self.unanswered_pings} times"
        return None

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            kill_tree(self.process, grace_seconds=2)
        elif self.process:
            self.process.wait()  # collect a dead server: no zombie is left
        self.pool.close()


class Variant:
    """A production variant of a deployment: its servers and its share of traffic."""

    def __init__(self, spec: dict, servers: list[ModelServer], image_uri: str):
        self.name = spec["VariantName"]
        self.spec = spec
        self.servers = servers
        self.image_uri = image_uri
        self.weight = float(spec.get("InitialVariantWeight", 1.0))
        self.desired_weight = self.weight
        self._next = itertools.cycle(range(len(servers)))
        self._lock = threading.Lock()
        self.retired = False  # its deployment stopped: nothing may be swapped in any more

    def next_server(self, avoid: tuple[ModelServer, ...] = ()) -> ModelServer | None:
        """The next healthy server in round-robin order (None when none is healthy)."""
        with self._lock:
            for _ in range(len(self.servers)):
                server = self.servers[next(self._next)]
                if server.healthy and server not in avoid:
                    return server
        return None

    def replace(self, old: ModelServer, new: ModelServer) -> bool:
        """Put ``new`` in ``old``'s place (False when ``old`` is no longer serving)."""
        with self._lock:
            if self.retired or old not in self.servers:
                return False
            self.servers[self.servers.index(old)] = new
            return True

    def summary(self) -> dict:
        count = len(self.servers)
        return {
            "VariantName": self.name,
            "DeployedImages": [{"SpecifiedImage": self.image_uri, "ResolvedImage": self.image_uri,
                                "ResolutionTime": now()}],
            "CurrentWeight": self.weight, "DesiredWeight": self.desired_weight,
            "CurrentInstanceCount": count, "DesiredInstanceCount": count,
        }


@dataclass
class Deployment:
    """The servers of one endpoint configuration, and the requests they are serving."""

    config_name: str
    variants: dict[str, Variant] = field(default_factory=dict)
    in_flight: int = 0
    lock: threading.Condition = field(default_factory=threading.Condition)

    def servers(self) -> list[ModelServer]:
        return [server for variant in self.variants.values() for server in variant.servers]

    def choose(self, target_variant: str | None) -> Variant:
        if target_variant:
            return self.variants[target_variant]
        live = [v for v in self.variants.values() if v.weight > 0]
        if not live:
            raise validation("All production variants of the endpoint have weight 0")
        return random.choices(live, weights=[v.weight for v in live])[0]

    def begin(self) -> None:
        with self.lock:
            self.in_flight += 1

    def end(self) -> None:
        with self.lock:
            self.in_flight -= 1
            self.lock.notify_all()

    def drain(self, timeout: float = INVOKE_TIMEOUT_SECONDS) -> None:
        """Wait until no request is running on this deployment."""
        with self.lock:
            self.lock.wait_for(lambda: self.in_flight == 0, timeout=timeout)

    def stop(self) -> None:
        for variant in self.variants.values():
            with variant._lock:
                variant.retired = True
        for server in self.servers():
            server.stop()


class Endpoint:
    """A live endpoint: the deployment serving traffic now, and its lifecycle."""

    def __init__(self, resource: Resource):
        self.resource = resource
        self.deployment: Deployment | None = None
        self.lock = threading.Lock()
        self.deleted = False

    def acquire(self) -> Deployment:
        """The deployment to send a request to, counted as in flight until ``end()``."""
        with self.lock:
            deployment = self.deployment
            if deployment is None:
                status = self.resource.description["EndpointStatus"]
                # The runtime's code (not the control plane's ValidationException).
                raise ValidationError(f"Endpoint {self.resource.name} is not in service "
                                      f"(status {status}); wait for InService before invoking "
                                      "it")
            deployment.begin()
        return deployment

    def switch_to(self, deployment: Deployment) -> Deployment | None:
        """Make ``deployment`` serve all new requests; return the previous one."""
        with self.lock:
            previous, self.deployment = self.deployment, deployment
        return previous


def _hosting_table(kind: str, arn_type: str, label: str, account: Account) -> ResourceTable:
    """A table answering duplicates and misses with SageMaker's hosting messages, e.g.
    ``Cannot create already existing model "arn..."`` / ``Could not find model "arn..."``
    (the SDK matches on these words)."""
    return ResourceTable(
        kind, arn_type, account,
        duplicate_error=lambda arn: validation(f'Cannot create already existing {label} "{arn}".'),
        missing_error=lambda name: validation(
            f'Could not find {label} "{account.arn(arn_type, name)}".'))


class Hosting:
    """Models, endpoint configs and endpoints: the control-plane operations and the servers."""

    def __init__(self, account: Account, platform: Platform, tags: TagStore):
        self.platform = platform
        self.tags = tags
        self.models = _hosting_table("Model", "model", "model", account)
        self.configs = _hosting_table("EndpointConfig", "endpoint-config",
                                      "endpoint configuration", account)
        self.endpoints = _hosting_table("Endpoint", "endpoint", "endpoint", account)
        self.live: dict[str, Endpoint] = ByName()
        self.health = HealthMonitor(self)

    def operations(self) -> dict:
        return {
            "CreateModel": self.create_model, "DescribeModel": self.describe_model,
            "ListModels": self.list_models, "DeleteModel": self.delete_model,
            "CreateEndpointConfig": self.create_endpoint_config,
            "DescribeEndpointConfig": self.describe_endpoint_config,
            "ListEndpointConfigs": self.list_endpoint_configs,
            "DeleteEndpointConfig": self.delete_endpoint_config,
            "CreateEndpoint": self.create_endpoint, "DescribeEndpoint": self.describe_endpoint,
            "ListEndpoints": self.list_endpoints, "DeleteEndpoint": self.delete_endpoint,
            "UpdateEndpoint": self.update_endpoint,
            "UpdateEndpointWeightsAndCapacities": self.update_weights,
        }

    # -- models -------------------------------------------------------------------------------

    def create_model(self, params: dict) -> dict:
        name = params["ModelName"]
        containers = self._model_containers(params)
        for container in containers:
            try:
                resolve_image(container.get("Image", ""))
            except UnknownImage as error:
                raise validation(str(error)) from None
        arn = self.models.arn(name)
        description = {k: v for k, v in params.items() if k != "Tags"}
        description.update(ModelArn=arn, CreationTime=now())
        self.models.add(Resource(name, arn, description))
        self.tags.add(arn, params.get("Tags"))
        return {"ModelArn": arn}

    @staticmethod
    def _model_containers(params: dict) -> list[dict]:
        if params.get("PrimaryContainer"):
            return [params["PrimaryContainer"]]
        if params.get("Containers"):
            if len(params["Containers"]) > 1:
                raise validation("localcloud serves single-container models only "
                                 "(inference pipelines are not implemented)")
            return params["Containers"]
        raise validation("A model needs a PrimaryContainer (or Containers)")

    def describe_model(self, params: dict) -> dict:
        return self.models.get(params["ModelName"]).describe()

    def list_models(self, params: dict) -> dict:
        return list_response("Models", (m.describe() for m in self.models.all()), params,
                             "ModelName", None,
                             lambda d: pick(d, "ModelName", "ModelArn", "CreationTime"))

    def delete_model(self, params: dict) -> dict:
        removed = self.models.remove(params["ModelName"])
        self.tags.delete(removed.arn)
        return {}

    # -- endpoint configs ---------------------------------------------------------------------

    def create_endpoint_config(self, params: dict) -> dict:
        name = params["EndpointConfigName"]
        variants = params["ProductionVariants"]
        names = [variant["VariantName"] for variant in variants]
        if len(set(names)) != len(names):
            raise validation(f"Variant names must be unique within an endpoint config: {names}")
        for variant in variants:
            if "ModelName" not in variant:
                raise validation(f"Production variant {variant['VariantName']} needs a ModelName")
            self.models.get(variant["ModelName"])  # AWS checks models exist at this point
        arn = self.configs.arn(name)
        description = {k: v for k, v in params.items() if k != "Tags"}
        description.update(EndpointConfigArn=arn, CreationTime=now())
        for variant in description["ProductionVariants"]:
            variant.setdefault("InitialVariantWeight", 1.0)
        self.configs.add(Resource(name, arn, description))
        self.tags.add(arn, params.get("Tags"))
        return {"EndpointConfigArn": arn}

    def describe_endpoint_config(self, params: dict) -> dict:
        return self.configs.get(params["EndpointConfigName"]).describe()

    def list_endpoint_configs(self, params: dict) -> dict:
        return list_response(
            "EndpointConfigs", (c.describe() for c in self.configs.all()), params,
            "EndpointConfigName", None,
            lambda d: pick(d, "EndpointConfigName", "EndpointConfigArn", "CreationTime"))

    def delete_endpoint_config(self, params: dict) -> dict:
        removed = self.configs.remove(params["EndpointConfigName"])
        self.tags.delete(removed.arn)
        return {}

    # -- endpoints ----------------------------------------------------------------------------

    def create_endpoint(self, params: dict) -> dict:
        name = params["EndpointName"]
        config = self.configs.get(params["EndpointConfigName"]).describe()
        arn = self.endpoints.arn(name)
        created = now()
        description = {"EndpointName": name, "EndpointArn": arn,
                       "EndpointConfigName": config["EndpointConfigName"],
                       "EndpointStatus": "Creating", "CreationTime": created,
                       "LastModifiedTime": created}
        resource = self.endpoints.add(Resource(name, arn, description))
        self.tags.add(arn, params.get("Tags"))
        endpoint = Endpoint(resource)
        self.live[name] = endpoint
        threading.Thread(target=self._deploy_first, args=(endpoint, config), daemon=True,
                         name=f"deploy:{name}").start()
        return {"EndpointArn": arn}

    def _deploy_first(self, endpoint: Endpoint, config: dict) -> None:
        try:
            deployment = self._start_deployment(endpoint.resource.name, config)
        except Exception as error:
            log.warning("Endpoint %s failed: %s", endpoint.resource.name, error)
            endpoint.resource.update(EndpointStatus="Failed", FailureReason=str(error))
            return
        if endpoint.deleted:  # deleted while its servers were starting
            deployment.stop()
            return
        endpoint.switch_to(deployment)
        endpoint.resource.update(EndpointStatus="InService",
                                 ProductionVariants=self._variant_summaries(deployment))

    def _start_deployment(self, endpoint_name: str, config: dict) -> Deployment:
        """Download each variant's model and start its servers; all healthy, or none left."""
        deployment = Deployment(config["EndpointConfigName"])
        try:
            for spec in config["ProductionVariants"]:
                deployment.variants[spec["VariantName"]] = self._start_variant(endpoint_name,
                                                                               spec)
        except Exception:
            deployment.stop()
            raise
        return deployment

    def _start_variant(self, endpoint_name: str, spec: dict) -> Variant:
        root = (self.platform.state_dir / "endpoints" / endpoint_name /
                f"{spec['VariantName']}-{uuid.uuid4().hex[:8]}")
        servers: list[ModelServer] = []
        try:
            for _ in range(int(spec.get("InitialInstanceCount", 1))):
                instance_id = f"i-{uuid.uuid4().hex[:17]}"
                servers.append(self.launch_model_server(
                    spec["ModelName"], root, f"/aws/sagemaker/Endpoints/{endpoint_name}",
                    f"{spec['VariantName']}/{instance_id}"))
        except Exception:
            for started in servers:
                started.stop()
            raise
        return Variant(spec, servers, servers[0].image.uri)

    def launch_model_server(self, model_name: str, root: Path, log_group: str,
                            stream_name: str, extra_env: dict | None = None) -> ModelServer:
        """Start one healthy serving container for a model (endpoints and batch transform).

        ``extra_env`` is what the platform adds to the model's Environment (batch transform
        sets ``SAGEMAKER_BATCH``, as SageMaker does).
        """
        model = self.models.get(model_name).describe()
        container = self._model_containers(model)[0]
        image = resolve_image(container["Image"])
        paths = MLPaths(root)
        if not paths.model_dir.exists():  # instances of a variant share one extracted model
            paths.model_dir.mkdir(parents=True)
            model_data = container.get("ModelDataUrl")
            if model_data:
                archive = self.platform.download_uri(model_data, root / "model.tar.gz")
                unpack_model(archive, paths.model_dir)
        environment = {**(container.get("Environment") or {}), **(extra_env or {})}
        server = ModelServer(self.platform, root, image, environment, log_group, stream_name)
        server.environment_extra = extra_env
        try:
            server.start()
        except Exception:
            server.stop()
            raise
        return server

    @staticmethod
    def _variant_summaries(deployment: Deployment) -> list[dict]:
        return [variant.summary() for variant in deployment.variants.values()]

    def describe_endpoint(self, params: dict) -> dict:
        return self.endpoints.get(params["EndpointName"]).describe()

    def list_endpoints(self, params: dict) -> dict:
        return list_response(
            "Endpoints", (e.describe() for e in self.endpoints.all()), params,
            "EndpointName", "EndpointStatus",
            lambda d: pick(d, "EndpointName", "EndpointArn", "CreationTime", "LastModifiedTime",
                           "EndpointStatus"))

    def delete_endpoint(self, params: dict) -> dict:
        """The endpoint is ``Deleting`` while its servers stop, then gone (when this returns,
        nothing of it runs any more)."""
        resource = self.endpoints.get(params["EndpointName"])
        name = resource.name
        resource.update(EndpointStatus="Deleting")
        endpoint = self.live.pop(name)
        endpoint.deleted = True
        previous = endpoint.switch_to(None)
        if previous:
            previous.stop()
        self.endpoints.remove(name)
        self.tags.delete(resource.arn)
        shutil.rmtree(self.platform.state_dir / "endpoints" / name, ignore_errors=True)
        return {}

    # -- updates ------------------------------------------------------------------------------

    def update_endpoint(self, params: dict) -> dict:
        name = params["EndpointName"]
        resource = self.endpoints.get(name)
        config = self.configs.get(params["EndpointConfigName"]).describe()
        status = resource.description["EndpointStatus"]
        if status != "InService":
            raise validation(f"Cannot update in-progress endpoint \"{resource.arn}\".")
        resource.update(EndpointStatus="Updating")
        threading.Thread(target=self._blue_green, args=(self.live[name], config), daemon=True,
                         name=f"update:{name}").start()
        return {"EndpointArn": resource.arn}

    def _blue_green(self, endpoint: Endpoint, config: dict) -> None:
        """Start the new servers, switch traffic, drain and stop the old ones."""
        name = endpoint.resource.name
        try:
            green = self._start_deployment(name, config)
        except Exception as error:
            log.warning("Update of endpoint %s failed; keeping the old config: %s", name, error)
            endpoint.resource.update(EndpointStatus="InService",
                                     FailureReason=f"Update failed and was rolled back: {error}")
            return
        if endpoint.deleted:
            green.stop()
            return
        blue = endpoint.switch_to(green)
        endpoint.resource.update(EndpointStatus="InService",
                                 EndpointConfigName=config["EndpointConfigName"],
                                 ProductionVariants=self._variant_summaries(green))
        endpoint.resource.description.pop("FailureReason", None)
        if blue:
            blue.drain()
            blue.stop()

    def update_weights(self, params: dict) -> dict:
        name = params["EndpointName"]
        resource = self.endpoints.get(name)
        deployment = self.live[name].deployment
        if deployment is None or resource.description["EndpointStatus"] != "InService":
            raise validation(f"Cannot update in-progress endpoint \"{resource.arn}\".")
        for desired in params["DesiredWeightsAndCapacities"]:
            variant = deployment.variants.get(desired["VariantName"])
            if variant is None:
                raise validation(f"The variant {desired['VariantName']} does not exist in "
                                 f"endpoint {name}")
            if "DesiredInstanceCount" in desired and \
                    desired["DesiredInstanceCount"] != len(variant.servers):
                raise validation("localcloud cannot change a variant's instance count in place; "
                                 "create an endpoint config and call UpdateEndpoint instead")
            if "DesiredWeight" in desired:
                variant.weight = variant.desired_weight = float(desired["DesiredWeight"])
        resource.update(ProductionVariants=self._variant_summaries(deployment))
        return {"EndpointArn": resource.arn}

    # -- lifecycle ----------------------------------------------------------------------------

    def endpoint(self, name: str) -> Endpoint | None:
        return self.live.get(name)

    def shutdown(self) -> None:
        """Stop every model server (service shutdown or reset)."""
        self.health.stop()
        for endpoint in list(self.live.values()):
            endpoint.deleted = True
            deployment = endpoint.switch_to(None)
            if deployment:
                deployment.stop()

    def reset(self) -> None:
        self.shutdown()
        self.live.clear()
        for table in (self.endpoints, self.configs, self.models):
            for item in table.all():
                table.remove(item.name)
        self.health = HealthMonitor(self)

    def restore_endpoints(self, resources: list[Resource]) -> None:
        """Endpoints of an earlier run (persistence): live ones get their model servers again,
        all at once, before the service answers; half-deleted ones are deleted."""
        starting = []
        for resource in resources:
            endpoint = Endpoint(resource)
            self.live[resource.name] = endpoint
            status = resource.description["EndpointStatus"]
            if status == "Deleting":
                self.delete_endpoint({"EndpointName": resource.name})
            elif status in ("InService", "Creating", "Updating", "SystemUpdating"):
                # The crashed run's model copies are stale: deploy from S3 afresh.
                shutil.rmtree(self.platform.state_dir / "endpoints" / resource.name,
                              ignore_errors=True)
                config = self.configs.find(resource.description["EndpointConfigName"])
                if config is None:
                    resource.update(EndpointStatus="Failed", FailureReason=(
                        "The endpoint configuration of this endpoint no longer exists"))
                    continue
                thread = threading.Thread(target=self._deploy_first,
                                          args=(endpoint, config.describe()), daemon=True,
                                          name=f"restore:{resource.name}")
                thread.start()
                starting.append(thread)
        for thread in starting:
            thread.join()

    def replace_server(self, endpoint: Endpoint, variant: Variant, server: ModelServer,
                       reason: str) -> None:
        """Start a new instance for an unhealthy one, swap it in and stop the old one."""
        name = endpoint.resource.name
        group = f"/aws/sagemaker/Endpoints/{name}"
        log.warning("Endpoint %s: instance %s failed its health check (%s); replacing it",
                    name, server.instance_id, reason)
        self._log_event(group, server.stream_name,
                        f"localcloud: instance {server.instance_id} failed its health check "
                        f"({reason}); replacing it")
        started = time.monotonic()
        try:
            new = self.launch_model_server(
                variant.spec["ModelName"], server.paths.root, group,
                f"{variant.name}/i-{uuid.uuid4().hex[:17]}", server.environment_extra)
        except Exception as error:
            log.error("Endpoint %s: the replacement of %s failed: %s", name,
                      server.instance_id, error)
            self._log_event(group, server.stream_name,
                            f"localcloud: replacing instance {server.instance_id} failed: {error}")
            return
        if endpoint.deleted or not variant.replace(server, new):
            new.stop()  # the endpoint was deleted or updated meanwhile
            return
        server.stop()
        self._log_event(group, new.stream_name,
                        f"localcloud: instance {new.instance_id} replaced {server.instance_id} "
                        f"and passed its health check after {time.monotonic() - started:.1f} s")

    def _log_event(self, group: str, stream: str, message: str) -> None:
        events = self.platform.log_stream(group, stream)
        events.write(message)
        events.close()


class HealthMonitor:
    """Checks every live endpoint's model servers and replaces the unhealthy ones.

    One thread checks every server each :data:`HEALTH_CHECK_SECONDS`; a server that exited,
    or missed :data:`UNANSWERED_PINGS_BEFORE_REPLACEMENT` pings in a row, is marked unhealthy
    (routing skips it at once) and replaced in the background. The runtime calls
    :meth:`suspect` when a request finds a server not answering, which wakes the check.
    """

    def __init__(self, hosting: Hosting):
        self.hosting = hosting
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._replacing: set[int] = set()
        self._thread = threading.Thread(target=self._run, name="endpoint-health", daemon=True)
        self._thread.start()

    def suspect(self, server: ModelServer) -> None:
        """A request could not reach ``server``: route around it and check it now."""
        if server.process and server.process.poll() is not None:
            server.healthy = False
        self._wake.set()

    def stop(self) -> None:
        self._stopped.set()
        self._wake.set()

    def _run(self) -> None:
        while not self._stopped.is_set():
            self._wake.wait(HEALTH_CHECK_SECONDS)
            self._wake.clear()
            for endpoint in list(self.hosting.live.values()):
                deployment = endpoint.deployment
                if deployment is None or endpoint.deleted:
                    continue
                for variant in deployment.variants.values():
                    for server in list(variant.servers):
                        self._check(endpoint, variant, server)

    def _check(self, endpoint: Endpoint, variant: Variant, server: ModelServer) -> None:
        if id(server) in self._replacing or self._stopped.is_set() or variant.retired:
            return
        reason = server.check()
        if reason is None:
            return
        server.healthy = False
        self._replacing.add(id(server))

        def replace() -> None:
            try:
                self.hosting.replace_server(endpoint, variant, server, reason)
            finally:
                self._replacing.discard(id(server))

        threading.Thread(target=replace, daemon=True,
                         name=f"replace:{server.stream_name}").start()


__all__ = ["Hosting", "HealthMonitor", "ModelServer", "Reply", "AWSError"]
