"""SageMaker state that survives ``localcloud stop``/``start`` and a crash of the service.

Every resource the control plane holds (training, transform and tuning jobs, models, endpoint
configs, endpoints) and their tags are written to ``<state-dir>/sagemaker/resources.json``:
synchronously after each API call that changes them (durable when the call returns), and by a
background saver whenever a job or endpoint changes status on its own. The file is replaced
atomically, so a crash leaves the previous complete version.

On start, the resources come back as they were, with what a restart means on AWS's terms:
a job that was running when the service went away ends ``Failed`` with a reason that says so;
an endpoint that was in service gets its model servers started again and is ``InService`` once
they answer; a half-deleted endpoint is deleted.
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from ..aws.errors import validation
from ..safety.files import write_private
from .resources import Resource, ResourceTable, now
from .training import model_artifact_uri

if TYPE_CHECKING:
    from .control import ControlPlane

log = logging.getLogger(__name__)

SAVE_INTERVAL_SECONDS = 0.5
INTERRUPTED = ("InternalServerError: localcloud stopped while this job was running (the service "
               "was stopped or crashed); its work is lost. Create the job again (with a new name).")
#: Per job table: the status member, and the member that holds the end time.
JOB_FIELDS = {"TrainingJob": ("TrainingJobStatus", "TrainingEndTime"),
              "TransformJob": ("TransformJobStatus", "TransformEndTime"),
              "HyperParameterTuningJob": ("HyperParameterTuningJobStatus",
                                          "HyperParameterTuningEndTime")}
RUNNING_STATUSES = ("InProgress", "Stopping")
LIVE_ENDPOINT_STATUSES = ("InService", "Creating", "Updating", "SystemUpdating",
                          "RollingBack")


def _encode(value):
    if isinstance(value, datetime):
        return {"$datetime": value.timestamp()}
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    raise TypeError(f"cannot save {type(value).__name__}")


def _decode(document: dict):
    if set(document) == {"$datetime"}:
        return datetime.fromtimestamp(document["$datetime"], timezone.utc)
    return document


class RestoredJob:
    """A job of an earlier run: finished, described from what was saved."""

    def __init__(self, resource: Resource, status_key: str, summaries: list[dict]):
        self.resource = resource
        self.status_key = status_key
        self._summaries = summaries
        self.finished = threading.Event()
        self.finished.set()
        self.stop_requested = self.finished

    def describe(self) -> dict:
        return self.resource.describe()

    def summaries(self) -> list[dict]:
        return list(self._summaries)

    def stop(self) -> None:
        status = self.resource.description[self.status_key]
        raise validation(f"The request was rejected because the job is in status {status}.")

    def terminate(self) -> None:
        """Nothing runs."""


class SageMakerState:
    """Saves and restores one control plane's resources."""

    def __init__(self, control: ControlPlane, folder: Path):
        self.control = control
        self.path = folder / "resources.json"
        self._saved = ""
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    # -- saving -----------------------------------------------------------------------------

    def tables(self) -> dict[str, ResourceTable]:
        return {table.kind: table for table in self.control.arn_tables}

    def snapshot(self) -> dict:
        control = self.control
        resources = {}
        for kind, table in self.tables().items():
            resources[kind] = [{"name": item.name, "arn": item.arn,
                                "description": self._description(kind, item)}
                               for item in table.all()]
        tuning_jobs = {name: job.summaries() for name, job in control.tuning.jobs.items()}
        return {"resources": resources, "tags": control.tags.snapshot(),
                "tuning_training_jobs": tuning_jobs}

    def _description(self, kind: str, item: Resource) -> dict:
        if kind == "HyperParameterTuningJob" and item.name in self.control.tuning.jobs:
            return self.control.tuning.jobs[item.name].describe()  # with derived counters
        return item.describe()

    def save(self) -> None:
        """Write the state if it changed since the last save."""
        with self._lock:
            text = json.dumps(self.snapshot(), default=_encode, sort_keys=True)
            if text != self._saved:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                write_private(self.path, text)
                self._saved = text

    def start_saver(self) -> None:
        """Save in the background as jobs and endpoints change status on their own."""

        def run():
            while not self._stopped.wait(SAVE_INTERVAL_SECONDS):
                try:
                    self.save()
                except Exception:  # a failed save must not stop later ones
                    log.exception("Could not save the SageMaker state")

        self._thread = threading.Thread(target=run, name="sagemaker-saver", daemon=True)
        self._thread.start()

    def stop_saver(self) -> None:
        self._stopped.set()
        if self._thread:
            self._thread.join(timeout=5)
        self.save()

    def clear(self) -> None:
        with self._lock:
            self.path.unlink(missing_ok=True)
            self._saved = ""

    # -- restoring --------------------------------------------------------------------------

    def restore(self) -> dict[str, int]:
        """Bring back what the last run saved; return how many resources of each kind."""
        if not self.path.exists():
            return {}
        saved = json.loads(self.path.read_text(), object_hook=_decode)
        self._saved = ""
        counts = {}
        tables = self.tables()
        endpoints = []
        for kind, items in saved["resources"].items():
            table = tables.get(kind)
            if table is None:
                continue
            for item in items:
                resource = table.add(Resource(item["name"], item["arn"], item["description"]))
                if kind in JOB_FIELDS:
                    self._restore_job(kind, resource,
                                      saved["tuning_training_jobs"].get(item["name"], []))
                elif kind == "Endpoint":
                    endpoints.append(resource)
            counts[kind] = len(items)
        self.control.tags.restore(saved["tags"])
        self.control.hosting.restore_endpoints(endpoints)
        log.info("Restored SageMaker resources: %s", counts)
        return counts

    def _restore_job(self, kind: str, resource: Resource, summaries: list[dict]) -> None:
        status_key, end_key = JOB_FIELDS[kind]
        description = resource.description
        if description[status_key] in RUNNING_STATUSES:
            end = now()
            description.update({status_key: "Failed", "FailureReason": INTERRUPTED,
                                end_key: end, "LastModifiedTime": end})
            if kind == "TrainingJob":
                description.setdefault("ModelArtifacts",
                                       {"S3ModelArtifacts": model_artifact_uri(description)})
                description["SecondaryStatus"] = "Failed"
                transitions = description.setdefault("SecondaryStatusTransitions", [])
                transitions.append({"Status": "Failed", "StartTime": end, "EndTime": end,
                                    "StatusMessage": INTERRUPTED})
        collection = {"TrainingJob": self.control.training,
                      "TransformJob": self.control.transform,
                      "HyperParameterTuningJob": self.control.tuning}[kind]
        collection.jobs[resource.name] = RestoredJob(resource, status_key, summaries)
