"""Batch transform: run a model over S3 data and write one ``.out`` object per input object.

What SageMaker does (https://docs.aws.amazon.com/sagemaker/latest/dg/batch-transform.html):
start the model's serving container, split each input object into records (``SplitType``
``Line``, ``RecordIO`` or ``None``), send them in mini-batches no larger than ``MaxPayloadInMB``
(``BatchStrategy`` ``MultiRecord``) or one by one (``SingleRecord``) to ``/invocations``, and
join the answers (``AssembleWith`` ``Line`` adds a newline after each) into
``<S3OutputPath>/<input file name>.out``. Logs go to ``/aws/sagemaker/TransformJobs``.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
import uuid
from collections.abc import Iterator

from ..aws.errors import ResourceInUse, validation
from ..formats import recordio
from .hosting import Hosting, ModelServer
from .jobs import JobCollection
from .platform import ChannelError, Platform, split_s3_uri
from .resources import Account, Resource, ResourceTable, TagStore, list_response, now, pick

log = logging.getLogger(__name__)

LOG_GROUP = "/aws/sagemaker/TransformJobs"
MB = 1024 * 1024


class TransformError(Exception):
    """The job cannot go on; the message becomes its FailureReason."""


def split_records(data: bytes, split_type: str) -> list[bytes]:
    """Cut an input object into the records SageMaker would send."""
    if split_type == "Line":
        return [line for line in data.splitlines() if line.strip()]
    if split_type == "RecordIO":
        return _recordio_records(data)
    return [data] if data else []


def _recordio_records(data: bytes) -> list[bytes]:
    """Each RecordIO frame whole (header, payload, padding): the model server reads frames."""
    try:
        return [data[frame.start:frame.end] for frame in recordio.iter_frames(data)]
    except recordio.FramingError as error:
        raise TransformError(f"ClientError: Invalid RecordIO data ({error}); with SplitType "
                             "RecordIO every input object must be RecordIO-framed") from None


def batch_records(records: list[bytes], strategy: str, max_payload: int,
                  separator: bytes) -> Iterator[bytes]:
    """Group records into request bodies (MultiRecord) or send them one by one."""
    if strategy != "MultiRecord":
        for record in records:
            _check_size(record, max_payload)
            yield record
        return
    batch: list[bytes] = []
    size = 0
    for record in records:
        _check_size(record, max_payload)
        added = len(record) + (len(separator) if batch else 0)
        if batch and size + added > max_payload:
            yield separator.join(batch)
            batch, size, added = [], 0, len(record)
        batch.append(record)
        size += added
    if batch:
        yield separator.join(batch)


def _check_size(record: bytes, max_payload: int) -> None:
    if len(record) > max_payload:
        raise TransformError(
            f"ClientError: a record of {len(record)} bytes is larger than MaxPayloadInMB "
            f"({max_payload // MB} MB); raise MaxPayloadInMB or split the input differently")


class TransformJob:
    """One batch transform job and the thread that runs it."""

    def __init__(self, resource: Resource, platform: Platform, hosting: Hosting):
        self.resource = resource
        self.platform = platform
        self.hosting = hosting
        self.name = resource.name
        self.stop_requested = threading.Event()
        self.finished = threading.Event()
        self.server: ModelServer | None = None

    @property
    def description(self) -> dict:
        return self.resource.description

    def start(self) -> None:
        threading.Thread(target=self._run, name=f"transform:{self.name}", daemon=True).start()

    def _run(self) -> None:
        self.resource.update(TransformStartTime=now())
        # One stream per instance, shared by the platform's messages and the container's output.
        stream_name = f"{self.name}/i-{uuid.uuid4().hex[:17]}-{int(time.time())}"
        stream = self.platform.log_stream(LOG_GROUP, stream_name)
        root = self.platform.state_dir / "transform-jobs" / self.name
        try:
            self.server = self.hosting.launch_model_server(
                self.description["ModelName"], root, LOG_GROUP, stream_name,
                extra_env={**(self.description.get("Environment") or {}),
                           "SAGEMAKER_BATCH": "true"})
            self._transform_all(stream)
            status, reason = ("Stopped", None) if self.stop_requested.is_set() else \
                ("Completed", None)
        except (TransformError, ChannelError) as error:
            status, reason = "Failed", str(error)
        except Exception as error:
            log.exception("Transform job %s crashed", self.name)
            status, reason = "Failed", f"AlgorithmError: {error}"
        finally:
            if self.server:
                self.server.stop()
            shutil.rmtree(root, ignore_errors=True)  # the model's copy; the results are in S3
        if reason:
            stream.write(f"Transform job failed: {reason}")
        stream.close()
        fields = {"TransformJobStatus": status, "TransformEndTime": now()}
        if reason:
            fields["FailureReason"] = reason
        self.resource.update(**fields)
        self.finished.set()

    def _transform_all(self, stream) -> None:
        source = self.description["TransformInput"]["DataSource"]["S3DataSource"]
        bucket, prefix = split_s3_uri(source["S3Uri"])
        if source.get("S3DataType") == "ManifestFile":
            raise TransformError("ClientError: localcloud batch transform reads S3Prefix inputs")
        keys = self.platform.list_keys(bucket, prefix)
        if not keys:
            raise TransformError(f"ClientError: no S3 objects found under {source['S3Uri']}")
        folder = prefix.rsplit("/", 1)[0] + "/" if "/" in prefix else ""
        output = self.description["TransformOutput"]["S3OutputPath"].rstrip("/")
        for key in keys:
            if self.stop_requested.is_set():
                return
            relative = key[len(folder):]
            stream.write(f"Transforming s3://{bucket}/{key}")
            data = self.platform.s3.get_object(Bucket=bucket, Key=key)["Body"].read()
            result = self._transform_object(data, relative)
            self.platform.put_bytes(result, f"{output}/{relative}.out")
            stream.write(f"Wrote {output}/{relative}.out ({len(result)} bytes)")

    def _transform_object(self, data: bytes, name: str) -> bytes:
        request = self.description
        transform_input = request["TransformInput"]
        split_type = transform_input.get("SplitType", "None")
        separator = b"\n" if split_type == "Line" else b""
        max_payload = int(request.get("MaxPayloadInMB", 6)) * MB or len(data) + 1
        strategy = request.get("BatchStrategy", "MultiRecord" if split_type != "None"
                               else "SingleRecord")
        assemble_lines = request["TransformOutput"].get("AssembleWith", "None") == "Line"
        parts: list[bytes] = []
        records = split_records(data, split_type)
        for body in batch_records(records, strategy, max_payload, separator):
            reply = self.server.invoke(body, transform_input.get("ContentType"),
                                       request["TransformOutput"].get("Accept"))
            if reply.status >= 400:
                message = reply.body.decode("utf-8", errors="replace")
                raise TransformError(f"ClientError: the model answered {reply.status} for "
                                     f"{name}: {message}")
            answer = reply.body
            if assemble_lines and not answer.endswith(b"\n"):
                answer += b"\n"
            parts.append(answer)
        return b"".join(parts)

    def stop(self) -> None:
        status = self.description["TransformJobStatus"]
        if status != "InProgress":
            raise validation(f"The request was rejected because the transform job is in status "
                             f"{status}.")
        self.resource.update(TransformJobStatus="Stopping")
        self.stop_requested.set()

    def terminate(self) -> None:
        """Used when the service shuts down or resets: stop the model server without ceremony."""
        self.stop_requested.set()
        if self.server:
            self.server.stop()


class TransformJobs(JobCollection[TransformJob]):
    """The transform-job operations of the control plane."""

    SUMMARY_KEYS = ("TransformJobName", "TransformJobArn", "CreationTime", "TransformEndTime",
                    "LastModifiedTime", "TransformJobStatus", "FailureReason")

    def __init__(self, account: Account, platform: Platform, hosting: Hosting, tags: TagStore):
        self.platform = platform
        self.hosting = hosting
        self.tags = tags
        self.table = ResourceTable(
            "TransformJob", "transform-job", account,
            duplicate_error=lambda arn: ResourceInUse(
                "Job name must be unique within an AWS account and region, and a job with "
                f"this name already exists ({arn})"),
            missing_error=lambda name: validation(f"Could not find requested job with name "
                                                  f"{name}"))
        self.jobs: dict[str, TransformJob] = {}

    def operations(self) -> dict:
        return {"CreateTransformJob": self.create, "DescribeTransformJob": self.describe,
                "ListTransformJobs": self.list, "StopTransformJob": self.stop}

    def create(self, params: dict) -> dict:
        name = params["TransformJobName"]
        self.hosting.models.get(params["ModelName"])
        if params.get("DataProcessing"):
            processing = params["DataProcessing"]
            if any(processing.get(key) not in (None, "$", "None")
                   for key in ("InputFilter", "OutputFilter", "JoinSource")):
                raise validation("localcloud does not implement DataProcessing "
                                 "(InputFilter/OutputFilter/JoinSource) for batch transform")
        arn = self.table.arn(name)
        created = now()
        description = {k: v for k, v in params.items() if k != "Tags"}
        description.update(TransformJobArn=arn, TransformJobStatus="InProgress",
                           CreationTime=created, LastModifiedTime=created)
        resource = self.table.add(Resource(name, arn, description))
        self.tags.add(arn, params.get("Tags"))
        job = TransformJob(resource, self.platform, self.hosting)
        self.jobs[name] = job
        job.start()
        return {"TransformJobArn": arn}

    def describe(self, params: dict) -> dict:
        return self.table.get(params["TransformJobName"]).describe()

    def list(self, params: dict) -> dict:
        return list_response(
            "TransformJobSummaries", (item.describe() for item in self.table.all()), params,
            "TransformJobName", "TransformJobStatus", lambda d: pick(d, *self.SUMMARY_KEYS))

    def stop(self, params: dict) -> dict:
        self._job(params["TransformJobName"]).stop()
        return {}
