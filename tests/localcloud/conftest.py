"""Shared fixtures of the localcloud conformance tests: clients, and Boston split and uploaded.

The clients are session-scoped and depend on ``aws_env`` (tests/conftest.py), so they are
created only after this process's SDK and boto3 point at the session's localcloud.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import boto3
import pandas as pd
import pytest
import sagemaker
from lambda_support import create_lambda_role
from sklearn.model_selection import train_test_split
from support import write_csv

from mlcourse.datasets.boston import load_boston_housing


@dataclass
class BostonSplits:
    train: pd.DataFrame  # label (MEDV) first, as SageMaker XGBoost wants CSV
    validation: pd.DataFrame
    test_features: pd.DataFrame
    test_labels: pd.Series


@pytest.fixture(scope="session")
def boston() -> BostonSplits:
    frame = load_boston_housing()
    labelled = pd.concat([frame["MEDV"], frame.drop(columns="MEDV")], axis=1)
    rest, test = train_test_split(labelled, test_size=0.2, random_state=7)
    train, validation = train_test_split(rest, test_size=0.25, random_state=7)
    return BostonSplits(train, validation, test.drop(columns="MEDV"), test["MEDV"])


@pytest.fixture(scope="session")
def sm(aws_env):
    """A boto3 SageMaker client of the session's localcloud."""
    return boto3.client("sagemaker")


@pytest.fixture(scope="session")
def session(aws_env) -> sagemaker.Session:
    """A SageMaker SDK session of the session's localcloud."""
    return sagemaker.Session()


@pytest.fixture(scope="session")
def upload_boston(session, boston, tmp_path_factory) -> Callable[..., dict[str, str]]:
    """``upload_boston(prefix, *splits)`` uploads Boston splits and returns their S3 URIs.

    A split ("train", "validation" or "test", the test features without labels) is written as
    a headerless CSV ``<split>.csv`` under ``s3://<default bucket>/<prefix>/<split>/``. The
    result maps each split to its URI, and "output" to ``s3://<default bucket>/<prefix>/output``,
    where the module's jobs may write.
    """
    frames = {"train": boston.train, "validation": boston.validation,
              "test": boston.test_features}

    def upload(prefix: str, *splits: str) -> dict[str, str]:
        folder = tmp_path_factory.mktemp(prefix.replace("/", "-"))
        uris = {split: session.upload_data(str(write_csv(frames[split], folder / f"{split}.csv")),
                                           key_prefix=f"{prefix}/{split}")
                for split in splits}
        return {**uris, "output": f"s3://{session.default_bucket()}/{prefix}/output"}

    return upload


@pytest.fixture(scope="session")
def lambda_role(aws_env) -> str:
    """The ARN of an IAM role Lambda functions may assume (deleted after the session)."""
    name, arn = create_lambda_role()
    yield arn
    boto3.client("iam").delete_role(RoleName=name)
