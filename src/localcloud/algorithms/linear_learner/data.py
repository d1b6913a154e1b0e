"""Reading Linear Learner's input channels (CSV or RecordIO-protobuf) and checking the labels.

Channels (https://docs.aws.amazon.com/sagemaker/latest/dg/linear-learner.html#ll-input_output):
``train`` (required), ``validation`` and ``test`` (optional), read by the shared
:class:`~localcloud.algorithms.inputs.channels.ChannelReader`: ``text/csv`` with the label in the
first column then exactly ``feature_dim`` numbers, or ``application/x-recordio-protobuf`` (the
default, what ``LinearLearner.record_set()`` channels look like). Labels must then suit the
``predictor_type``.
"""

from __future__ import annotations

import numpy as np

from localcloud.algorithms.inputs.channels import ChannelReader, Dataset
from localcloud.containers.contract import MLPaths
from localcloud.containers.errors import ClientError

from .channels import CHANNELS
from .hyperparameters import BINARY, MULTICLASS, Hyperparameters

__all__ = ["READER", "Dataset", "check_labels", "load_datasets"]

#: How Linear Learner reads its channels (shared with the other first-party algorithms).
READER = ChannelReader("Linear Learner", CHANNELS, supervised=True)


def load_datasets(paths: MLPaths, params: Hyperparameters) -> tuple[dict[str, Dataset], int]:
    """The datasets of the channels this job received, and the feature dimension."""
    datasets, feature_dim = READER.read_all(paths, params.feature_dim)
    for dataset in datasets.values():
        check_labels(dataset.labels, params, dataset.channel)
    return datasets, feature_dim


# -- labels --------------------------------------------------------------------------------------


def check_labels(labels: np.ndarray, params: Hyperparameters, source: str) -> None:
    """Labels must suit predictor_type: 0/1, 0..num_classes-1, or any finite number."""
    if not np.isfinite(labels).all():
        raise ClientError(f"{source}: labels contain NaN or infinite values")
    if params.predictor_type == BINARY:
        bad = labels[(labels != 0) & (labels != 1)]
        if bad.size:
            raise ClientError(f"{source}: binary_classifier labels must be 0 or 1, found "
                              f"{bad[0]:g}")
    elif params.predictor_type == MULTICLASS:
        bad = labels[(labels != np.round(labels)) | (labels < 0) | (labels >= params.num_classes)]
        if bad.size:
            raise ClientError(f"{source}: multiclass_classifier labels must be integers from 0 "
                              f"to num_classes-1={params.num_classes - 1}, found {bad[0]:g}")
