"""The SageMaker control plane: one table from operation name to handler.

Requests are validated against botocore's model of the SageMaker API before a handler sees them;
an operation localcloud does not implement gets a clear error naming it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import botocore.session

from ..aws.errors import ValidationException, unknown_operation
from ..aws.validation import validate_request
from .hosting import Hosting
from .platform import Platform
from .resources import Account, TagStore
from .training import TrainingJobs
from .transform import TransformJobs
from .tuning import TuningJobs

log = logging.getLogger(__name__)

Handler = Callable[[dict], dict]


class ControlPlane:
    """All SageMaker operations localcloud implements, and the state behind them."""

    def __init__(self, account: Account, platform: Platform):
        self.platform = platform
        self.account = account
        self.model = botocore.session.get_session().get_service_model("sagemaker")
        self.tags = TagStore()
        self.training = TrainingJobs(account, platform, self.tags)
        self.hosting = Hosting(account, platform, self.tags)
        self.transform = TransformJobs(account, platform, self.hosting, self.tags)
        self.operations: dict[str, Handler] = {
            **self.training.operations(),
            **self.hosting.operations(),
            **self.transform.operations(),
            "AddTags": self.add_tags,
            "ListTags": self.list_tags,
            "DeleteTags": self.delete_tags,
        }
        self.arn_tables = [self.training.table, self.transform.table, self.hosting.models,
                           self.hosting.configs, self.hosting.endpoints]
        self.tuning = TuningJobs(account, self.training, self.tags)
        self.register(self.tuning.operations(), (self.tuning.table,))

    def register(self, operations: dict[str, Handler], tables: tuple = ()) -> None:
        """Add operations and the resource tables they own (later features plug in here)."""
        self.operations.update(operations)
        self.arn_tables.extend(tables)

    def handle(self, operation: str, params: dict) -> dict:
        handler = self.operations.get(operation)
        if handler is None or operation not in self.model.operation_names:
            raise unknown_operation(f"SageMaker.{operation}")
        validate_request(self.model.operation_model(operation), params)
        log.debug("SageMaker.%s %s", operation, params)
        return handler(params)

    # -- tags ---------------------------------------------------------------------------------

    def _check_arn(self, arn: str) -> None:
        if not any(table.by_arn(arn) for table in self.arn_tables):
            raise ValidationException(f"Resource {arn} does not exist.")

    def add_tags(self, params: dict) -> dict:
        self._check_arn(params["ResourceArn"])
        self.tags.add(params["ResourceArn"], params["Tags"])
        return {"Tags": self.tags.list(params["ResourceArn"])}

    def list_tags(self, params: dict) -> dict:
        self._check_arn(params["ResourceArn"])
        return {"Tags": self.tags.list(params["ResourceArn"])}

    def delete_tags(self, params: dict) -> dict:
        self._check_arn(params["ResourceArn"])
        self.tags.delete(params["ResourceArn"], params["TagKeys"])
        return {}

    # -- lifecycle ----------------------------------------------------------------------------

    def status(self) -> dict:
        """What is running now (for ``localcloud status`` and the tests' leak checks)."""
        return {
            "training_jobs_running": [job.name for job in self.training.running()],
            "transform_jobs_running": [job.name for job in self.transform.running()],
            "tuning_jobs_running": [job.name for job in self.tuning.running()],
            "endpoints": [item.name for item in self.hosting.endpoints.all()],
            "model_servers": sum(len(e.deployment.servers()) for e in self.hosting.live.values()
                                 if e.deployment),
        }

    def reset(self) -> None:
        self.tuning.reset()  # first: a tuner must not start training jobs while they are reset
        self.training.reset()
        self.transform.reset()
        self.hosting.reset()
        self.tags = TagStore()
        for domain in (self.training, self.hosting, self.transform, self.tuning):
            domain.tags = self.tags

    def shutdown(self) -> None:
        # Tuners first: a tuner must not start training jobs while they are stopped.
        for jobs in (self.tuning, self.training, self.transform):
            jobs.terminate_all()
        self.hosting.shutdown()
        self.platform.shutdown()
