"""Plain helpers shared by the localcloud conformance tests (``from support import ...``).

The fixtures these helpers work with (``sm``, ``session``, the uploaded Boston data) live in
this folder's conftest.py; what is here needs no fixture machinery and no set-up of its own.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
import sagemaker
from sagemaker import image_uris

INSTANCE_TYPE = "ml.m5.large"
XGBOOST_VERSION = "1.7-1"
#: A training job in one of these states will not change any more.
FINISHED_STATUSES = ("Completed", "Failed", "Stopped")


def unique(prefix: str) -> str:
    """A fresh resource name: localcloud, like AWS, refuses to create a name twice."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def rmse(predictions, labels) -> float:
    """Root mean squared error, the metric the Boston tutorials report."""
    return float(np.sqrt(np.mean((np.asarray(predictions) - np.asarray(labels)) ** 2)))


def xgboost_image(session: sagemaker.Session) -> str:
    """The built-in XGBoost image URI the tutorials use, for the session's region."""
    return image_uris.retrieve("xgboost", session.boto_region_name, XGBOOST_VERSION)


def training_request(name: str, session: sagemaker.Session, channels: dict[str, str],
                     **hyperparameters) -> dict:
    """A CreateTrainingJob request for built-in XGBoost, as a learner writes it with boto3.

    ``channels`` maps channel names to S3 URIs of headerless CSV data. The hyperparameters
    default to a 30-round regression; keyword arguments add to or override them.
    """
    return {
        "TrainingJobName": name,
        "AlgorithmSpecification": {"TrainingImage": xgboost_image(session),
                                   "TrainingInputMode": "File"},
        "RoleArn": sagemaker.get_execution_role(),
        "OutputDataConfig": {
            "S3OutputPath": f"s3://{session.default_bucket()}/training-output"},
        "ResourceConfig": {"InstanceType": INSTANCE_TYPE, "InstanceCount": 1,
                           "VolumeSizeInGB": 5},
        "StoppingCondition": {"MaxRuntimeInSeconds": 300},
        "HyperParameters": {"objective": "reg:squarederror", "num_round": "30",
                            **{key: str(value) for key, value in hyperparameters.items()}},
        "InputDataConfig": [
            {"ChannelName": channel, "ContentType": "text/csv",
             "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": uri,
                                             "S3DataDistributionType": "FullyReplicated"}}}
            for channel, uri in channels.items()],
    }


def wait_for_job(sm, name: str) -> dict:
    """Poll DescribeTrainingJob until the job has finished; return its last description."""
    for _ in range(600):
        description = sm.describe_training_job(TrainingJobName=name)
        if description["TrainingJobStatus"] in FINISHED_STATUSES:
            return description
        time.sleep(0.1)
    raise AssertionError(f"training job {name} did not finish")



def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """No header, no index: the layout SageMaker's built-in algorithms read."""
    frame.to_csv(path, header=False, index=False)
    return path
