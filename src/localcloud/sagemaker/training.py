"""Training jobs: the Create/Describe/List/Stop operations and the runner behind them.

A job moves through the statuses and secondary statuses AWS reports
(https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DescribeTrainingJob.html)::

    InProgress: Starting -> Downloading -> Training -> Uploading
    then Completed | Failed | Stopped (Stopping first; MaxRuntimeExceeded when the clock ran out)

Its container is a subprocess following the SageMaker container contract; its output is shipped
to CloudWatch Logs (``/aws/sagemaker/TrainingJobs``, stream ``<job>/algo-1-<epoch>``) while it
runs, and the metrics the algorithm logs become ``FinalMetricDataList``.
"""

from __future__ import annotations

import contextlib
import copy
import json
import logging
import re
import shutil
import subprocess
import threading
import time

from ..aws.errors import AWSError, ResourceInUse, validation
from ..containers.contract import ML_ROOT_ENV, MLPaths
from ..containers.registry import IMAGE_ENV, metric_definitions
from .images import UnknownImage, resolve_image
from .jobs import JobCollection
from .platform import ChannelError, Platform, kill_tree, pack_model
from .resources import Account, Resource, ResourceTable, TagStore, list_response, now, pick

log = logging.getLogger(__name__)

LOG_GROUP = "/aws/sagemaker/TrainingJobs"

STATUS_MESSAGES = {
    "Starting": "Preparing the instances for training",
    "Downloading": "Downloading input data",
    "Training": "Training image download completed. Training in progress.",
    "Uploading": "Uploading generated training model",
    "Completed": "Training job completed",
    "Stopping": "Stopping the training job",
    "Stopped": "The training job was stopped",
    "MaxRuntimeExceeded": "The job exceeded MaxRuntimeInSeconds and was stopped",
    "Failed": "Training job failed",
}


class MetricParser:
    """Applies metric regexes to log lines and keeps every value seen, in order."""

    def __init__(self, definitions: list[dict]):
        self.patterns = []
        for definition in definitions:
            try:
                self.patterns.append((definition["Name"], re.compile(definition["Regex"])))
            except (KeyError, re.error) as error:
                log.warning("Ignoring metric definition %s: %s", definition, error)
        self.history: dict[str, list[tuple[float, float]]] = {}

    def feed(self, line: str) -> None:
        for name, pattern in self.patterns:
            match = pattern.search(line)
            if match and match.groups():
                try:
                    value = float(match.group(1))
                except ValueError:
                    continue
                self.history.setdefault(name, []).append((time.time(), value))

    def final_metrics(self) -> list[dict]:
        """``FinalMetricDataList``: the last value of each metric."""
        from datetime import datetime, timezone

        return [{"MetricName": name, "Value": values[-1][1],
                 "Timestamp": datetime.fromtimestamp(values[-1][0], timezone.utc)}
                for name, values in self.history.items()]


def model_artifact_uri(description: dict) -> str:
    """Where a training job's ``model.tar.gz`` goes: ``<S3OutputPath>/<job>/output/``."""
    output = description["OutputDataConfig"]["S3OutputPath"].rstrip("/")
    return f"{output}/{description['TrainingJobName']}/output/model.tar.gz"


class TrainingJob:
    """One training job: its description and the thread running its container."""

    def __init__(self, resource: Resource, platform: Platform):
        self.resource = resource
        self.platform = platform
        self.name = resource.name
        self.folder = platform.state_dir / "training-jobs" / self.name
        self.paths = MLPaths(self.folder / "opt_ml")
        self.process: subprocess.Popen | None = None
        self.stop_requested = threading.Event()
        self.metrics: MetricParser | None = None
        self.finished = threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"training:{self.name}",
                                       daemon=True)

    @property
    def description(self) -> dict:
        return self.resource.description

    # -- status -------------------------------------------------------------------------------

    def _set_secondary(self, status: str, message: str | None = None) -> None:
        """Close the current secondary status and open the next one."""
        stamp = now()
        with self.resource.lock:
            transitions = self.description.setdefault("SecondaryStatusTransitions", [])
            if transitions and "EndTime" not in transitions[-1]:
                transitions[-1]["EndTime"] = stamp
            entry = {"Status": status, "StartTime": stamp,
                     "StatusMessage": message or STATUS_MESSAGES.get(status, status)}
            if status in ("Completed", "Failed", "Stopped", "MaxRuntimeExceeded"):
                entry["EndTime"] = stamp
            transitions.append(entry)
            self.resource.update(SecondaryStatus=status)
        log.info("Training job %s: %s", self.name, status)

    def _finish(self, status: str, secondary: str, failure: str | None = None) -> None:
        end = now()
        with self.resource.lock:
            start = self.description.get("TrainingStartTime", end)
            seconds = max(1, int((end - start).total_seconds()))
            fields = {"TrainingJobStatus": status, "TrainingEndTime": end,
                      "TrainingTimeInSeconds": seconds, "BillableTimeInSeconds": seconds}
            if failure:
                # The learner's view is the container's /opt/ml, not our state directory.
                failure = failure.replace(str(self.paths.root), "/opt/ml")
                fields["FailureReason"] = failure
            if self.metrics and self.metrics.history:
                fields["FinalMetricDataList"] = self.metrics.final_metrics()
            self.resource.update(**fields)
            self._set_secondary(secondary, failure)
        self.finished.set()

    # -- the run ------------------------------------------------------------------------------

    def start(self) -> None:
        self.thread.start()

    def _run(self) -> None:
        # The job's log stream exists from the start, so a failure before the container runs
        # (no data, unknown image) is in the log too.
        self.stream = self.platform.log_stream(LOG_GROUP, f"{self.name}/algo-1-{int(time.time())}",
                                               container_root=self.paths.root)
        try:
            self._set_secondary("Starting")
            image = resolve_image(self.description["AlgorithmSpecification"]["TrainingImage"])
            self._prepare_tree()
            self.resource.update(TrainingStartTime=now())
            self._set_secondary("Downloading")
            self._download_channels()
            if self.stop_requested.is_set():
                self._finish("Stopped", "Stopped")
                return
            self._set_secondary("Training")
            outcome = self._train(image)
            self._conclude(outcome)
        except (ChannelError, UnknownImage) as error:
            self._fail(f"ClientError: {error}")
        except Exception as error:  # a bug of ours must still end the job, with a reason
            log.exception("Training job %s crashed", self.name)
            self._fail(f"InternalServerError: {error}")
        finally:
            self.stream.close()
            shutil.rmtree(self.paths.data_dir, ignore_errors=True)  # inputs are copies

    def _fail(self, reason: str) -> None:
        """End the job as Failed, saying why in its log as well as in FailureReason."""
        self.stream.write(reason)
        self._finish("Failed", "Failed", reason)

    def _prepare_tree(self) -> None:
        if self.folder.exists():
            shutil.rmtree(self.folder)
        self.paths.make_dirs()
        request = self.description
        hyperparameters = {k: str(v) for k, v in (request.get("HyperParameters") or {}).items()}
        self.paths.hyperparameters_file.write_text(json.dumps(hyperparameters))
        count = request["ResourceConfig"].get("InstanceCount", 1)
        hosts = [f"algo-{i}" for i in range(1, count + 1)]
        self.paths.resource_config_file.write_text(json.dumps(
            {"current_host": "algo-1", "hosts": hosts, "network_interface_name": "lo",
             "current_instance_type": request["ResourceConfig"].get("InstanceType", "local"),
             "current_group_name": "homogeneousCluster"}))
        channels = {
            channel["ChannelName"]: {
                "ContentType": channel.get("ContentType", ""),
                "TrainingInputMode": channel.get(
                    "InputMode", request["AlgorithmSpecification"].get("TrainingInputMode",
                                                                       "File")),
                "S3DistributionType": channel["DataSource"].get("S3DataSource", {}).get(
                    "S3DataDistributionType", "FullyReplicated"),
                "RecordWrapperType": channel.get("RecordWrapperType", "None"),
            }
            for channel in request.get("InputDataConfig") or []
        }
        self.paths.input_data_config_file.write_text(json.dumps(channels))

    def _download_channels(self) -> None:
        for channel in self.description.get("InputDataConfig") or []:
            source = channel["DataSource"].get("S3DataSource")
            if source is None:
                raise ChannelError(f"Channel {channel['ChannelName']}: localcloud reads S3 "
                                   "data sources only")
            destination = self.paths.channel_dir(channel["ChannelName"])
            if source["S3DataType"] == "ManifestFile":
                self.platform.download_manifest(source["S3Uri"], destination)
            else:
                self.platform.download_prefix(source["S3Uri"], destination)

    def _container_env(self, image) -> dict[str, str]:
        env = dict(self.description.get("Environment") or {})
        env.update({ML_ROOT_ENV: str(self.paths.root), IMAGE_ENV: image.uri,
                    "TRAINING_JOB_NAME": self.name,
                    "TRAINING_JOB_ARN": self.resource.arn,
                    "AWS_ENDPOINT_URL": self.platform.endpoint_url,
                    "AWS_DEFAULT_REGION": self.platform.region})
        return env

    def _train(self, image) -> str:
        """Run the container; return "completed", "failed", "stopped" or "timeout"."""
        definitions = metric_definitions(image.algorithm) + list(
            self.description["AlgorithmSpecification"].get("MetricDefinitions") or [])
        self.metrics = MetricParser(definitions)
        stream = self.stream
        max_runtime = self.description.get("StoppingCondition", {}).get(
            "MaxRuntimeInSeconds", 86400)
        deadline = time.monotonic() + max_runtime
        self.process = self.platform.start_container("train", image.algorithm,
                                                     self._container_env(image), cwd=self.folder)
        reader = threading.Thread(target=self._pump_output, args=(self.process, stream),
                                  daemon=True)
        reader.start()
        timed_out = False
        while self.process.poll() is None:
            if self.stop_requested.is_set():
                kill_tree(self.process)
            elif time.monotonic() > deadline:
                timed_out = True
                stream.write(f"Training job exceeded MaxRuntimeInSeconds ({max_runtime} s); "
                             "stopping it.")
                kill_tree(self.process)
            with contextlib.suppress(subprocess.TimeoutExpired):  # returns as soon as it exits
                self.process.wait(timeout=0.05)
        reader.join(timeout=10)
        if timed_out:
            return "timeout"
        if self.stop_requested.is_set():
            return "stopped"
        return "completed" if self.process.returncode == 0 else "failed"

    def _pump_output(self, process: subprocess.Popen, stream) -> None:
        with (self.folder / "container.log").open("w") as copy:
            for line in process.stdout:
                copy.write(line)
                self.metrics.feed(stream.write(line))

    def _conclude(self, outcome: str) -> None:
        if outcome == "failed":
            reason = self._failure_reason()
            self._finish("Failed", "Failed", reason)
            return
        self._set_secondary("Uploading")
        self._upload_artifacts()
        if outcome == "completed":
            self._finish("Completed", "Completed")
        elif outcome == "timeout":
            self._finish("Stopped", "MaxRuntimeExceeded")
        else:
            self._finish("Stopped", "Stopped")

    def _failure_reason(self) -> str:
        if self.paths.failure_file.exists():
            reason = self.paths.failure_file.read_text().strip()
            if reason:
                return reason
        code = self.process.returncode if self.process else "unknown"
        return (f"AlgorithmError: the training container exited with code {code} without "
                f"writing {self.paths.failure_file.name}; see the job's log in CloudWatch "
                f"({LOG_GROUP})")

    def _upload_artifacts(self) -> None:
        if not any(self.paths.model_dir.iterdir()):
            return  # nothing was saved (e.g. stopped before the first checkpoint)
        output = self.description["OutputDataConfig"]["S3OutputPath"].rstrip("/")
        archive = pack_model(self.paths.model_dir, self.folder / "model.tar.gz")
        self.platform.upload(archive, model_artifact_uri(self.description))
        archive.unlink()  # S3 holds it now; the state directory keeps only model/ and logs
        if any(self.paths.output_data_dir.iterdir()):
            output_archive = pack_model(self.paths.output_data_dir, self.folder / "output.tar.gz")
            self.platform.upload(output_archive, f"{output}/{self.name}/output/output.tar.gz")

    def stop(self) -> None:
        status = self.description["TrainingJobStatus"]
        if status != "InProgress":
            raise validation("The request was rejected because the training job is in "
                             f"status {status}.")
        self.resource.update(TrainingJobStatus="Stopping")
        self._set_secondary("Stopping")
        self.stop_requested.set()

    def terminate(self) -> None:
        """Used when the service shuts down: stop the container without ceremony."""
        self.stop_requested.set()
        if self.process and self.process.poll() is None:
            kill_tree(self.process, grace_seconds=1)


class TrainingJobs(JobCollection[TrainingJob]):
    """The training-job operations of the control plane."""

    SUMMARY_KEYS = ("TrainingJobName", "TrainingJobArn", "CreationTime", "TrainingEndTime",
                    "LastModifiedTime", "TrainingJobStatus", "SecondaryStatus")

    def __init__(self, account: Account, platform: Platform, tags: TagStore):
        self.platform = platform
        self.tags = tags
        self.table = ResourceTable(
            "TrainingJob", "training-job", account,
            duplicate_error=lambda arn: ResourceInUse(
                "Training job names must be unique within an AWS account and region, and a "
                f"training job with this name already exists ({arn})"),
            missing_error=lambda name: validation("Requested resource not found."))
        self.jobs: dict[str, TrainingJob] = {}

    def operations(self) -> dict:
        return {"CreateTrainingJob": self.create, "DescribeTrainingJob": self.describe,
                "ListTrainingJobs": self.list, "StopTrainingJob": self.stop}

    def create(self, params: dict, tuning_job_arn: str | None = None) -> dict:
        """CreateTrainingJob; a tuning job passes its ARN for the job's ``TuningJobArn``."""
        name = params["TrainingJobName"]
        self._check_channels(params)
        arn = self.table.arn(name)
        created = now()
        description = {
            **self._with_service_defaults(params),
            "TrainingJobArn": arn,
            "TrainingJobStatus": "InProgress",
            "SecondaryStatus": "Starting",
            "CreationTime": created,
            "LastModifiedTime": created,
            "SecondaryStatusTransitions": [],
            # AWS answers with the artifact's planned location from the start, whatever the
            # status (the API marks the field required): the SDK's `model_data` reads it.
            "ModelArtifacts": {"S3ModelArtifacts": model_artifact_uri(
                {"TrainingJobName": name, **params})},
            "EnableNetworkIsolation": params.get("EnableNetworkIsolation", False),
            "EnableInterContainerTrafficEncryption": params.get(
                "EnableInterContainerTrafficEncryption", False),
            "EnableManagedSpotTraining": params.get("EnableManagedSpotTraining", False),
            **({"TuningJobArn": tuning_job_arn} if tuning_job_arn else {}),
        }
        resource = self.table.add(Resource(name, arn, description))
        self.tags.add(arn, params.get("Tags"))
        job = TrainingJob(resource, self.platform)
        self.jobs[name] = job
        job.start()
        return {"TrainingJobArn": arn}

    @staticmethod
    def _with_service_defaults(params: dict) -> dict:
        """The request as DescribeTrainingJob echoes it, with the defaults AWS fills in."""
        description = copy.deepcopy({k: v for k, v in params.items() if k != "Tags"})
        description["OutputDataConfig"].setdefault("KmsKeyId", "")
        description["OutputDataConfig"].setdefault("CompressionType", "GZIP")
        description["ResourceConfig"].setdefault("VolumeSizeInGB", 30)
        description["AlgorithmSpecification"].setdefault("TrainingInputMode", "File")
        description["AlgorithmSpecification"].setdefault(
            "EnableSageMakerMetricsTimeSeries", False)
        description.setdefault("HyperParameters", {})
        for channel in description.get("InputDataConfig") or []:
            channel.setdefault("CompressionType", "None")
            channel.setdefault("RecordWrapperType", "None")
        return description

    @staticmethod
    def _check_channels(params: dict) -> None:
        names = [channel["ChannelName"] for channel in params.get("InputDataConfig") or []]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise validation(f"Channel names must be unique; repeated: {', '.join(duplicates)}")
        image = params["AlgorithmSpecification"].get("TrainingImage")
        if not image and not params["AlgorithmSpecification"].get("AlgorithmName"):
            raise validation("AlgorithmSpecification must name a TrainingImage or AlgorithmName")

    def describe(self, params: dict) -> dict:
        return self.table.get(params["TrainingJobName"]).describe()

    def list(self, params: dict) -> dict:
        return list_response(
            "TrainingJobSummaries", (item.describe() for item in self.table.all()), params,
            "TrainingJobName", "TrainingJobStatus", lambda d: pick(d, *self.SUMMARY_KEYS))

    def stop(self, params: dict) -> dict:
        self._job(params["TrainingJobName"]).stop()
        return {}


__all__ = ["TrainingJobs", "AWSError"]
