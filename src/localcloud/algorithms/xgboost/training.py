"""What the SageMaker XGBoost image does when SageMaker starts it with ``train``.

It reads the ``train`` channel (and the optional ``validation`` channel), trains with the job's
hyperparameters, prints one evaluation line per round and writes ``model/xgboost-model``, which
SageMaker packs into ``model.tar.gz``. Releases before 1.3-1 pickle the Booster; later ones save
it in XGBoost's own format, loadable with ``xgboost.Booster().load_model(path)``
(https://docs.aws.amazon.com/sagemaker/latest/dg/xgboost-how-to-use.html#InputOutput-XGBoost).
"""

from __future__ import annotations

import logging
import os
import pickle
import re
from pathlib import Path

import numpy as np
import xgboost

from localcloud.containers.contract import MLPaths
from localcloud.containers.errors import AlgorithmError, ClientError
from localcloud.containers.registry import IMAGE_ENV

from . import data, evaluation_log, metric_names, metrics
from .hyperparameters import MULTICLASS_OBJECTIVES, TrainingSettings, parse_hyperparameters
from .releases import MODEL_FILE, Release, release_from_image

log = logging.getLogger(__name__)

TRAIN_CHANNEL = "train"
VALIDATION_CHANNEL = "validation"
ALGORITHM_CHANNELS = (TRAIN_CHANNEL, VALIDATION_CHANNEL)

#: Fragments of xgboost errors caused by the job's data or hyperparameters, not by xgboost.
_CUSTOMER_ERROR_FRAGMENTS = (
    "label must be", "base_score must be", "label_correct", "Invalid Input", "Invalid Parameter",
    "must be greater", "feature_names mismatch", "only contains pos or neg samples",
    "monotone_constraints", "interaction_constraints",
)


def train(paths: MLPaths) -> None:
    """Train on the channels under ``paths`` and write ``xgboost-model`` to the model folder."""
    release = release_from_image(os.environ.get(IMAGE_ENV))
    log.info("Running SageMaker XGBoost %s in algorithm mode (xgboost %s)",
             release.tag, xgboost.__version__)
    settings = parse_hyperparameters(paths.read_hyperparameters())
    train_set, validation_set, data_format = _read_channels(paths, settings)
    num_columns = _common_width(train_set, validation_set, data_format)
    dtrain = train_set.to_dmatrix(num_columns)
    dvalidation = validation_set.to_dmatrix(num_columns) if validation_set else None
    log.info("Single node training.")
    log.info("Train matrix has %d rows and %d columns", dtrain.num_row(), dtrain.num_col())
    if dvalidation is not None:
        log.info("Validation matrix has %d rows", dvalidation.num_row())
    booster = _boost(settings, dtrain, dvalidation, release)
    _save_model(booster, paths.model_dir, release)


# -- channels --------------------------------------------------------------------------------

def _read_channels(paths: MLPaths, settings: TrainingSettings
                   ) -> tuple[data.Records, data.Records | None, str]:
    """The train and (optional) validation records, and the data format (CSV or LIBSVM)."""
    input_data_config = paths.read_input_data_config()
    channels = paths.received_channels(input_data_config)
    _check_channels(channels)
    # Like the real container, the train channel's ContentType applies to both channels.
    data_format = data.channel_format(input_data_config.get(TRAIN_CHANNEL, {}).get("ContentType"))
    train_set = _read_channel(paths, TRAIN_CHANNEL, data_format, settings)
    validation_set = (_read_channel(paths, VALIDATION_CHANNEL, data_format, settings)
                      if VALIDATION_CHANNEL in channels else None)
    return train_set, validation_set, data_format


def _check_channels(received: list[str]) -> None:
    """The job must have a train channel, and may have a validation channel, nothing else."""
    if TRAIN_CHANNEL not in received:
        raise ClientError("Missing required channel: train. SageMaker XGBoost trains on a 'train' "
                          "channel (plus an optional 'validation' channel); this job received: "
                          + (", ".join(received) or "no channels"))
    for channel in received:
        if channel not in ALGORITHM_CHANNELS:
            raise ClientError(f"Extraneous channel found: {channel}. SageMaker XGBoost reads only "
                              "the 'train' and 'validation' channels")


def _read_channel(paths: MLPaths, channel: str, data_format: str,
                  settings: TrainingSettings) -> data.Records:
    """All records of a channel's files, labels checked against the objective."""
    parts = [(path, data.read_training_file(path, data_format, settings.csv_weights))
             for path in paths.channel_files(channel)]
    parts = [(path, records) for path, records in parts if records.num_rows]
    if not parts:
        raise ClientError(f"No data in the {channel} channel: {paths.channel_dir(channel)} holds "
                          f"no records ({paths.describe_channel(channel)})")
    if data_format == data.CSV:
        _check_same_columns(parts, channel)
    records = data.concatenate([records for _, records in parts])
    _check_labels(records.labels, settings, channel)
    return records


def _check_same_columns(parts: list[tuple[Path, data.Records]], channel: str) -> None:
    first_path, first = parts[0]
    for path, records in parts[1:]:
        if records.num_columns != first.num_columns:
            raise ClientError(f"Files of the {channel} channel disagree on the number of "
                              f"features: {first_path.name} has {first.num_columns}, "
                              f"{path.name} has {records.num_columns}")


def _common_width(train_set: data.Records, validation_set: data.Records | None,
                  data_format: str) -> int:
    """The number of feature columns both DMatrix objects must share."""
    if validation_set is None:
        return train_set.num_columns
    if data_format == data.CSV and validation_set.num_columns != train_set.num_columns:
        raise ClientError(f"The validation channel has {validation_set.num_columns} feature "
                          f"columns but the train channel has {train_set.num_columns}; both need "
                          "the same columns, label first")
    return max(train_set.num_columns, validation_set.num_columns)


def _check_labels(labels: np.ndarray, settings: TrainingSettings, channel: str) -> None:
    """Reject labels the objective cannot learn, naming the channel and the value."""
    objective = settings.objective
    if objective.startswith("binary:") or objective == "reg:logistic":
        wrong = labels[(labels < 0) | (labels > 1)]
        if wrong.size:
            raise ClientError(f"label must be in [0,1] for logistic regression (objective "
                              f"{objective}), but the {channel} channel has label {wrong[0]:g}")
    if objective in MULTICLASS_OBJECTIVES:
        num_class = settings.params["num_class"]
        wrong = labels[(labels < 0) | (labels >= num_class) | (labels != np.floor(labels))]
        if wrong.size:
            raise ClientError(f"label must be in [0, num_class) for objective {objective}: the "
                              f"{channel} channel has label {wrong[0]:g} and num_class is "
                              f"{num_class}")


# -- boosting --------------------------------------------------------------------------------

def _boost(settings: TrainingSettings, dtrain: xgboost.DMatrix,
           dvalidation: xgboost.DMatrix | None, release: Release) -> xgboost.Booster:
    evals = [(dtrain, TRAIN_CHANNEL)]
    if dvalidation is not None:
        evals.append((dvalidation, VALIDATION_CHANNEL))
    try:
        return xgboost.train(
            settings.params, dtrain, num_boost_round=settings.num_round, evals=evals,
            custom_metric=metrics.container_metric(settings.container_metrics),
            callbacks=_callbacks(settings, release, has_validation=dvalidation is not None),
            verbose_eval=False,
        )
    except xgboost.core.XGBoostError as error:
        raise _training_failure(error) from error


def _callbacks(settings: TrainingSettings, release: Release, has_validation: bool) -> list:
    """The evaluation printer and, when asked for, early stopping, as the release has them."""
    rounds = settings.early_stopping_rounds
    if release.describes_early_stopping:
        printer = evaluation_log.LegacyEvaluationPrinter()
        return [printer] + ([evaluation_log.LegacyEarlyStopping(rounds, printer)] if rounds else [])
    stopper = _early_stopping(settings, release, has_validation) if rounds else None
    return [evaluation_log.evaluation_monitor()] + ([stopper] if stopper else [])


def _early_stopping(settings: TrainingSettings, release: Release,
                    has_validation: bool) -> xgboost.callback.EarlyStopping | None:
    rounds = settings.early_stopping_rounds
    if not release.uses_callback_api:
        # xgb.train(early_stopping_rounds=...) of xgboost 0.90-1.2: last metric, last data set.
        return xgboost.callback.EarlyStopping(rounds=rounds)
    metric = settings.early_stopping_metric
    if not has_validation or metric is None:
        log.info("early_stopping_rounds=%d has no effect: SageMaker XGBoost %s stops early only "
                 "with a validation channel and an eval_metric (or tuning objective) to watch",
                 rounds, release.tag)
        return None
    return xgboost.callback.EarlyStopping(
        rounds=rounds, data_name=VALIDATION_CHANNEL, metric_name=metric,
        maximize=metric_names.is_maximized(metric),
        save_best=settings.params.get("booster") != "gblinear",  # linear models cannot be cut
    )


def _training_failure(error: Exception) -> Exception:
    """ClientError for xgboost errors the job's input caused, AlgorithmError otherwise."""
    message = _without_source_location(str(error))
    if any(fragment in message for fragment in _CUSTOMER_ERROR_FRAGMENTS):
        return ClientError(message)
    return AlgorithmError(f"XGB train call failed with exception: {message}")


def _without_source_location(message: str) -> str:
    """First line of an xgboost error, without its ``[12:00:00] /src/file.cc:42:`` prefix."""
    first_line = message.strip().splitlines()[0] if message.strip() else message
    return re.sub(r"^\[[0-9:]+\] \S+:\d+: ", "", first_line)


# -- model artifact --------------------------------------------------------------------------

def _save_model(booster: xgboost.Booster, model_dir: Path, release: Release) -> None:
    """Write ``xgboost-model``: a pickled Booster before 1.3-1, XGBoost's own format after."""
    model_dir.mkdir(parents=True, exist_ok=True)
    path = model_dir / MODEL_FILE
    if release.pickles_model:
        with path.open("wb") as handle:
            pickle.dump(booster, handle)
    else:
        # UBJSON is what Booster.save_model writes by default; writing the raw bytes avoids its
        # warning about the file name having no extension (the name is fixed by SageMaker).
        path.write_bytes(booster.save_raw("ubj"))
    log.info("Stored trained model at %s", path)
