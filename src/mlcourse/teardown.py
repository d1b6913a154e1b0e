"""Delete what a lesson created, so nothing keeps running (and billing) after it.

A real-time endpoint costs money every hour it is up, and deleting only the endpoint leaves its
endpoint config and models behind. This module removes them together, with plain boto3 calls
that behave the same on AWS and on localcloud:

- :func:`delete_endpoint` deletes one endpoint, its endpoint config(s) and their models;
- :func:`torn_down` (an :class:`EndpointGuard`) deletes endpoints when a ``with`` block ends,
  even when the block raises;
- :func:`find_leftovers` lists what a course run left behind (endpoints, endpoint configs,
  models, and training, transform and tuning jobs still running), and
  :func:`delete_leftovers` removes them, but only reports them unless ``dry_run=False``.

Every function takes ``client=``: a boto3 SageMaker client, a ``sagemaker.Session`` (its
client is used), or nothing (a new default client). Resources are reported as
:class:`Resource` ``(kind, name)`` pairs, where ``kind`` is the resource type AWS uses in ARNs
(``"endpoint"``, ``"endpoint-config"``, ``"model"``, ``"training-job"``, ...).

Something already gone is not an error: a notebook may have deleted it itself, or a second
teardown may run. AWS and localcloud both answer ``ValidationException: Could not find ...``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

import boto3
from botocore import xform_name
from botocore.exceptions import ClientError

log = logging.getLogger(__name__)

ENDPOINT = "endpoint"
ENDPOINT_CONFIG = "endpoint-config"
MODEL = "model"
TRAINING_JOB = "training-job"
TRANSFORM_JOB = "transform-job"
TUNING_JOB = "hyper-parameter-tuning-job"

#: Seconds between DescribeEndpoint calls while waiting for a deletion (AWS takes a minute or
#: two; localcloud deletes at once, and botocore's waiter asks once before its first sleep).
ENDPOINT_POLL_SECONDS = 5
ENDPOINT_MAX_POLLS = 120

# How "it does not exist" reads: the code, or a ValidationException with one of these messages.
_GONE_CODES = ("ResourceNotFound",)
_GONE_MESSAGES = ("Could not find", "Requested resource not found")


class Resource(NamedTuple):
    """One SageMaker resource: its ARN resource type (``kind``) and its name."""

    kind: str
    name: str


@dataclass(frozen=True)
class _Kind:
    """How the SageMaker API lists and removes one kind of resource.

    The API names its operations and fields after one noun (``TrainingJob`` gives
    ``ListTrainingJobs``, ``StopTrainingJob``, ``TrainingJobName``, ``TrainingJobStatus``), so
    the noun and the key of the list in a List response are all this table needs.
    """

    kind: str
    noun: str
    list_key: str
    is_job: bool = False  # jobs cannot be deleted; a running one is stopped

    @property
    def name_key(self) -> str:
        return f"{self.noun}Name"

    @property
    def status_key(self) -> str:
        return f"{self.noun}Status"

    @property
    def label(self) -> str:
        return self.kind.replace("-", " ")

    def method(self, verb: str, plural: bool = False) -> str:
        """The boto3 method name, e.g. ``method("Stop")`` -> ``"stop_training_job"``."""
        return xform_name(f"{verb}{self.noun}{'s' if plural else ''}")


# In removal order: stop the jobs first (a tuning job starts training jobs and a transform job
# uses a model), then the endpoints, then what they were built from.
_KINDS = (
    _Kind(TUNING_JOB, "HyperParameterTuningJob", "HyperParameterTuningJobSummaries", is_job=True),
    _Kind(TRAINING_JOB, "TrainingJob", "TrainingJobSummaries", is_job=True),
    _Kind(TRANSFORM_JOB, "TransformJob", "TransformJobSummaries", is_job=True),
    _Kind(ENDPOINT, "Endpoint", "Endpoints"),
    _Kind(ENDPOINT_CONFIG, "EndpointConfig", "EndpointConfigs"),
    _Kind(MODEL, "Model", "Models"),
)
_KIND_BY_NAME = {kind.kind: kind for kind in _KINDS}
_REMOVAL_RANK = {kind.kind: rank for rank, kind in enumerate(_KINDS)}


# -- clients and errors -----------------------------------------------------------------------

def sagemaker_client(client: Any = None) -> Any:
    """The boto3 SageMaker client to use for ``client``.

    ``client`` may be a boto3 SageMaker client (returned as is), a ``sagemaker.Session`` (its
    ``sagemaker_client``), or None (a new ``boto3.client("sagemaker")``, which follows
    ``AWS_ENDPOINT_URL`` and so reaches localcloud when it is the target).
    """
    if client is None:
        return boto3.client("sagemaker")
    session_client = getattr(client, "sagemaker_client", None)
    if session_client is not None:
        return session_client
    service_model = getattr(getattr(client, "meta", None), "service_model", None)
    if getattr(service_model, "service_name", None) == "sagemaker":
        return client
    raise TypeError(f"Expected a boto3 SageMaker client or a sagemaker.Session, got {client!r}")


def _error_code(error: ClientError) -> str:
    return error.response.get("Error", {}).get("Code", "")


def _is_gone(error: ClientError) -> bool:
    """Whether ``error`` says the resource does not exist (any more)."""
    message = error.response.get("Error", {}).get("Message", "")
    return _error_code(error) in _GONE_CODES or (
        _error_code(error) == "ValidationException" and message.startswith(_GONE_MESSAGES))


def _describe_or_none(describe, **params) -> dict | None:
    """The description, or None when the resource does not exist."""
    try:
        return describe(**params)
    except ClientError as error:
        if _is_gone(error):
            return None
        raise


def _in_removal_order(resources) -> list[Resource]:
    """``resources`` without duplicates, jobs first and models last (then by name)."""
    return sorted(set(resources), key=lambda item: (_REMOVAL_RANK[item.kind], item.name))


# -- one endpoint -----------------------------------------------------------------------------

def _config_names(endpoint: dict) -> list[str]:
    """The endpoint's config, plus the one an update in progress is moving it to.

    Both are optional in the API's description of an endpoint, so either may be missing.
    """
    pending = endpoint.get("PendingDeploymentSummary") or {}
    names = (endpoint.get("EndpointConfigName"), pending.get("EndpointConfigName"))
    return [name for name in names if name]


def _model_names(config: dict) -> list[str]:
    """Every model a config serves, shadow variants included (A/B tests serve several)."""
    variants = config.get("ProductionVariants", []) + config.get("ShadowProductionVariants", [])
    return [variant["ModelName"] for variant in variants if variant.get("ModelName")]


def endpoint_resources(endpoint_name: str, *, client: Any = None) -> list[Resource]:
    """The endpoint, its endpoint config(s) and their models, as they exist now.

    Returns ``[]`` when the endpoint does not exist. A config that is already gone is listed
    (deleting it again is harmless) but its models cannot be known any more.
    """
    sm = sagemaker_client(client)
    endpoint = _describe_or_none(sm.describe_endpoint, EndpointName=endpoint_name)
    if endpoint is None:
        return []
    resources = [Resource(ENDPOINT, endpoint_name)]
    for config_name in _config_names(endpoint):
        resources.append(Resource(ENDPOINT_CONFIG, config_name))
        config = _describe_or_none(sm.describe_endpoint_config, EndpointConfigName=config_name)
        resources.extend(Resource(MODEL, name) for name in _model_names(config or {}))
    return _in_removal_order(resources)


def delete_endpoint(endpoint_name: str, *, delete_config: bool = True,
                    delete_models: bool = True, client: Any = None,
                    wait: bool = False) -> list[Resource]:
    """Delete an endpoint, then its endpoint config(s), then their models.

    Everything is looked up before anything is deleted, because a deleted endpoint no longer
    says which config it used. Resources already gone are skipped, so calling this twice is
    safe. With ``wait=True`` it returns only once DescribeEndpoint no longer finds the endpoint
    (AWS deletes in the background; the config and models can go meanwhile).

    Configs left over by earlier ``update_endpoint`` calls are no longer referenced by the
    endpoint; :func:`delete_leftovers` finds them by name.

    Returns the resources this call deleted (``[]`` if the endpoint was already gone).
    """
    sm = sagemaker_client(client)
    wanted = {ENDPOINT}
    if delete_config:
        wanted.add(ENDPOINT_CONFIG)
    if delete_models:
        wanted.add(MODEL)
    attached = endpoint_resources(endpoint_name, client=sm)
    if not attached:
        log.info("Endpoint %s does not exist; nothing to delete", endpoint_name)
    return _remove_all(sm, [item for item in attached if item.kind in wanted], wait=wait)


# -- removing ---------------------------------------------------------------------------------

def _still_running(sm: Any, kind: _Kind, name: str) -> bool:
    description = _describe_or_none(getattr(sm, kind.method("Describe")),
                                    **{kind.name_key: name})
    return description is not None and description[kind.status_key] == "InProgress"


def _remove(sm: Any, resource: Resource) -> bool:
    """Delete a resource (stop it, for a job); False if it was already gone (or finished)."""
    kind = _KIND_BY_NAME[resource.kind]
    verb = "Stop" if kind.is_job else "Delete"
    try:
        getattr(sm, kind.method(verb))(**{kind.name_key: resource.name})
    except ClientError as error:
        gone = _is_gone(error)
        # A job listed as running may finish before the stop arrives; AWS then refuses the stop
        # with a ValidationException naming its status, which is worded differently per job type.
        finished = (not gone and kind.is_job and _error_code(error) == "ValidationException"
                    and not _still_running(sm, kind, resource.name))
        if not (gone or finished):
            raise
        log.info("%s %s was already %s", kind.label.capitalize(), resource.name,
                 "gone" if gone else "finished")
        return False
    log.info("%s %s %s", "Stopped" if kind.is_job else "Deleted", kind.label, resource.name)
    return True


def _wait_until_endpoint_deleted(sm: Any, endpoint_name: str) -> None:
    sm.get_waiter("endpoint_deleted").wait(
        EndpointName=endpoint_name,
        WaiterConfig={"Delay": ENDPOINT_POLL_SECONDS, "MaxAttempts": ENDPOINT_MAX_POLLS})


def _remove_all(sm: Any, resources: list[Resource], *, wait: bool) -> list[Resource]:
    """Remove ``resources`` in the order given; return those this call removed.

    With ``wait``, the waiting comes after every deletion has been requested, so several
    endpoints are deleted side by side rather than one after the other.
    """
    removed = [resource for resource in resources if _remove(sm, resource)]
    if wait:
        for resource in removed:
            if resource.kind == ENDPOINT:
                _wait_until_endpoint_deleted(sm, resource.name)
    return removed


# -- the context manager ----------------------------------------------------------------------

class EndpointGuard:
    """Deletes endpoints (with their configs and models) when a ``with`` block ends.

    The teardown runs however the block ends. If the block raised, that error is the one that
    propagates and a teardown failure is only logged; otherwise a teardown failure is raised.
    Every tracked endpoint is attempted even when one of them fails.

    Endpoints are names or ``sagemaker`` Predictors (their ``endpoint_name`` and session are
    used). Track an endpoint created inside the block with :meth:`track`::

        with torn_down() as guard:
            predictor = guard.track(estimator.deploy(1, "ml.m5.large"))
            predictor.predict(rows)

    After the block, :attr:`deleted` lists what was deleted.
    """

    def __init__(self, *endpoints: Any, client: Any = None, delete_config: bool = True,
                 delete_models: bool = True, wait: bool = False):
        self._client = client
        self._options = {"delete_config": delete_config, "delete_models": delete_models,
                         "wait": wait}
        self._targets: list[tuple[str, Any]] = []
        self.deleted: list[Resource] = []
        for endpoint in endpoints:
            self.track(endpoint)

    def track(self, endpoint: Any) -> Any:
        """Tear ``endpoint`` (a name or a Predictor) down on exit too; returns it unchanged."""
        if isinstance(endpoint, str):
            self._targets.append((endpoint, self._client))
        elif isinstance(getattr(endpoint, "endpoint_name", None), str):
            session = getattr(endpoint, "sagemaker_session", None)
            self._targets.append((endpoint.endpoint_name, self._client or session))
        else:
            raise TypeError(f"Expected an endpoint name or a Predictor, got {endpoint!r}")
        return endpoint

    def teardown(self) -> list[Resource]:
        """Delete every tracked endpoint now; returns what was deleted."""
        failures = []
        for name, client in self._targets:
            try:
                self.deleted.extend(delete_endpoint(name, client=client, **self._options))
            except Exception as error:  # raised below, after the other endpoints are gone
                log.error("Could not delete endpoint %s: %s", name, error)
                failures.append(error)
        if failures:
            raise failures[0]
        return self.deleted

    def __enter__(self) -> EndpointGuard:
        return self

    def __exit__(self, exc_type, exc, traceback) -> bool:
        try:
            self.teardown()
        except Exception:
            if exc is None:
                raise
            # Raising here would hide the error the learner needs to see; keep the trace in the log.
            log.exception("Teardown failed while the block was already failing")
        return False


def torn_down(*endpoints: Any, **options: Any) -> EndpointGuard:
    """``with torn_down(predictor_or_name, ...):`` deletes them on exit (see EndpointGuard)."""
    return EndpointGuard(*endpoints, **options)


# -- leftovers of a course run ----------------------------------------------------------------

def _list_names(sm: Any, kind: _Kind, prefix: str | None, since: datetime | None) -> list[str]:
    """Names of ``kind`` starting with ``prefix``, created after ``since`` (running jobs only)."""
    filters: dict[str, Any] = {}
    if prefix:
        filters["NameContains"] = prefix  # narrows the listing server-side; starts-with below
    if since:
        filters["CreationTimeAfter"] = since
    if kind.is_job:
        filters["StatusEquals"] = "InProgress"
    pages = sm.get_paginator(kind.method("List", plural=True)).paginate(**filters)
    names = [item[kind.name_key] for page in pages for item in page[kind.list_key]]
    return [name for name in names if name.startswith(prefix or "")]


def find_leftovers(prefix: str | None = None, *, since: datetime | None = None,
                   client: Any = None) -> list[Resource]:
    """What a course run left behind, in the order :func:`delete_leftovers` removes it.

    Lists endpoints, endpoint configs and models whose names start with ``prefix``, training,
    transform and tuning jobs still running, and also the configs and models of each endpoint
    found (the SDK names models after the image, not after the endpoint). ``since`` keeps only
    resources created after that time. With no ``prefix`` and no ``since`` this is everything
    in the account and region: read the list before deleting it.
    """
    sm = sagemaker_client(client)
    found = []
    for kind in _KINDS:
        for name in _list_names(sm, kind, prefix, since):
            found.append(Resource(kind.kind, name))
            if kind.kind == ENDPOINT:
                found.extend(endpoint_resources(name, client=sm))
    leftovers = _in_removal_order(found)
    log.info("Found %d leftover resource(s)%s", len(leftovers),
             "".join(f"\n  {item.kind:<28} {item.name}" for item in leftovers))
    return leftovers


def running_jobs(prefix: str | None = None, *, since: datetime | None = None,
                 client: Any = None) -> list[Resource]:
    """Training, transform and tuning jobs still running (named ``prefix...``, created after
    ``since``): what an interrupted cell may have left behind."""
    sm = sagemaker_client(client)
    return [Resource(kind.kind, name) for kind in _KINDS if kind.is_job
            for name in _list_names(sm, kind, prefix, since)]


def delete_leftovers(prefix: str | None = None, *, since: datetime | None = None,
                     dry_run: bool = True, client: Any = None,
                     wait: bool = False) -> list[Resource]:
    """Stop the running jobs and delete the endpoints, configs and models a run left behind.

    Dry run first: by default nothing is touched and the list of what would be removed is
    returned (and logged). With ``dry_run=False`` each item is removed (``wait`` as in
    :func:`delete_endpoint`) and the items this call removed are returned. ``prefix`` and
    ``since`` select as in :func:`find_leftovers`.
    """
    sm = sagemaker_client(client)
    leftovers = find_leftovers(prefix, since=since, client=sm)
    if dry_run:
        log.info("Dry run: nothing deleted; pass dry_run=False to remove the %d item(s) above",
                 len(leftovers))
        return leftovers
    return _remove_all(sm, leftovers, wait=wait)


__all__ = [
    "ENDPOINT",
    "ENDPOINT_CONFIG",
    "MODEL",
    "TRAINING_JOB",
    "TRANSFORM_JOB",
    "TUNING_JOB",
    "EndpointGuard",
    "Resource",
    "delete_endpoint",
    "delete_leftovers",
    "endpoint_resources",
    "find_leftovers",
    "running_jobs",
    "sagemaker_client",
    "torn_down",
]
