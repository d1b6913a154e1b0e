"""``train(paths)``: the training container of DeepAR.

1. Read the ``train`` channel (required) and the ``test`` channel (optional): JSON Lines files,
   gzipped or not (:mod:`.series`).
2. Resolve ``cardinality`` and ``num_dynamic_feat`` from the data (``auto``) or drop those fields
   (``ignore``).
3. Train GluonTS's DeepAR for ``epochs`` epochs (fewer with ``early_stopping_patience``), logging
   each epoch's loss as the real algorithm does, and keep the epoch with the lowest loss.
4. With a test channel, forecast the last ``prediction_length`` points of every test series from
   the points before them and log RMSE and the weighted quantile losses (``#test_score`` lines,
   see :mod:`.evaluation`).
5. Write the model to ``model/`` (:mod:`.model`).

One epoch draws as many training windows as the training series have points in their prediction
ranges, ``ceil(sum(len(target)) / prediction_length)``, in batches of ``mini_batch_size`` (the
real algorithm samples windows at random too; it does not document how many per epoch). The seed
is fixed: the same data and hyperparameters give the same model.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

from localcloud.algorithms.inputs.channels import channel_files, read_bytes
from localcloud.containers.contract import MLPaths
from localcloud.containers.errors import ClientError
from localcloud.containers.media_types import media_type

from .hyperparameters import AUTO, IGNORE, Hyperparameters, parse_hyperparameters
from .runtime import prepare
from .series import Series, check_features, read_json_lines
from .settings import ModelSettings

log = logging.getLogger(__name__)

TRAIN, TEST = "train", "test"
CHANNELS = (TRAIN, TEST)
#: Channel content types read as JSON Lines (none declared: JSON Lines too).
JSON_LINES_TYPES = ("", "application/jsonlines", "application/json", "application/x-jsonlines")


@dataclass(frozen=True)
class Channels:
    train: list[Series]
    test: list[Series] | None


def train(paths: MLPaths) -> None:
    """Train on the channels in ``paths`` and write the model to ``model/``."""
    host = paths.read_resource_config().get("current_host", "algo-1")
    params = parse_hyperparameters(paths.read_hyperparameters())
    channels = read_channels(paths)
    settings = ModelSettings(
        time_freq=params.time_freq, prediction_length=params.prediction_length,
        context_length=params.context_length,
        cardinality=resolve_cardinality(params, channels.train),
        num_dynamic_feat=resolve_num_dynamic_feat(params, channels.train),
        num_eval_samples=params.num_eval_samples)
    check_series(channels, settings)
    # torch and GluonTS load only now, after the quick checks of the job's input.
    prepare()
    from .evaluation import evaluate, log_scores
    from .fitting import fit
    from .model import save_predictor

    predictor = fit(params, settings, channels.train, host,
                    batches_per_epoch(channels.train, params))
    if channels.test is not None:
        log_scores(host, evaluate(predictor, settings, channels.test, params.test_quantiles))
    save_predictor(predictor, settings, paths.model_dir)
    log.info("Serializing to %s", paths.model_dir)


# -- channels ----------------------------------------------------------------------------------


def read_channels(paths: MLPaths) -> Channels:
    config = paths.read_input_data_config()
    received = paths.received_channels(config)
    if TRAIN not in received:
        raise ClientError(f"No 'train' channel: DeepAR needs a train channel (and optionally "
                          f"test); this job received: {', '.join(received) or 'none'}")
    for channel in received:
        if channel not in CHANNELS:
            log.warning("Ignoring channel %r: DeepAR reads train and test", channel)
    read = {channel: read_channel(paths, channel, config.get(channel, {}).get("ContentType"))
            for channel in CHANNELS if channel in received}
    return Channels(train=read[TRAIN], test=read.get(TEST))


def read_channel(paths: MLPaths, channel: str, content_type: str | None) -> list[Series]:
    """Every series of a channel's JSON Lines files (gzip or not), in file-name order."""
    kind = media_type(content_type or "")
    if kind not in JSON_LINES_TYPES:
        raise ClientError(f"Channel '{channel}' has ContentType {content_type!r}; localcloud's "
                          "DeepAR reads JSON Lines (application/jsonlines, .json or .json.gz "
                          "files); convert Parquet data to JSON Lines")
    series = []
    for path in channel_files(paths, channel):
        source = f"{channel}/{path.relative_to(paths.channel_dir(channel))}"
        try:
            text = read_bytes(path).decode("utf-8")
        except (UnicodeDecodeError, OSError, EOFError) as error:
            raise ClientError(f"{source} is not UTF-8 JSON Lines text (or valid gzip): "
                              f"{error}") from None
        series.extend(read_json_lines(text, source))
    if not series:
        raise ClientError(f"Channel '{channel}' holds no time series")
    log.info("Channel %s: %d time series, %d points", channel, len(series),
             sum(item.target.size for item in series))
    return series


# -- features ----------------------------------------------------------------------------------


def resolve_cardinality(params: Hyperparameters, series: list[Series]) -> list[int]:
    """Categories per ``cat`` field: given, counted from the data (``auto``) or none."""
    counts = {item.num_cat for item in series}
    if params.cardinality == IGNORE or counts == {0}:
        if params.cardinality not in (AUTO, IGNORE):
            raise ClientError("cardinality is set but the training series have no \"cat\" field")
        return []
    if len(counts) > 1:
        raise ClientError(f'The training series have different numbers of "cat" values '
                          f"({sorted(counts)}); give every series the same number")
    (num_cat,) = counts
    if params.cardinality == AUTO:
        return [max(item.cat[field] for item in series) + 1 for field in range(num_cat)]
    if len(params.cardinality) != num_cat:
        raise ClientError(f"cardinality has {len(params.cardinality)} value(s) but the series "
                          f'have {num_cat} "cat" value(s)')
    for field, limit in enumerate(params.cardinality):
        largest = max(item.cat[field] for item in series)
        if largest >= limit:
            raise ClientError(f'"cat" field {field} holds {largest}, but cardinality says it '
                              f"has {limit} categories (0 to {limit - 1})")
    return list(params.cardinality)


def resolve_num_dynamic_feat(params: Hyperparameters, series: list[Series]) -> int:
    """Dynamic feature series per series: given, counted (``auto``) or none (``ignore``)."""
    if params.num_dynamic_feat == IGNORE:
        return 0
    counts = {item.num_dynamic_feat for item in series}
    if len(counts) > 1:
        raise ClientError(f'The training series have different numbers of "dynamic_feat" '
                          f"series ({sorted(counts)}); give every series the same number")
    (found,) = counts
    if params.num_dynamic_feat not in (AUTO, found):
        raise ClientError(f"num_dynamic_feat is {params.num_dynamic_feat} but the series have "
                          f'{found} "dynamic_feat" series')
    return found


def check_series(channels: Channels, settings) -> None:
    """Training needs a series longer than the horizon; test series need one point more."""
    horizon = settings.prediction_length
    check_features(channels.train, len(settings.cardinality), settings.num_dynamic_feat, 0,
                   TRAIN)
    if not any(item.observed > horizon for item in channels.train):
        raise ClientError(f"Every training series has at most prediction_length={horizon} "
                          "observed values; DeepAR needs longer series to learn from")
    if channels.test is None:
        return
    check_features(channels.test, len(settings.cardinality), settings.num_dynamic_feat, 0, TEST)
    short = [index for index, item in enumerate(channels.test) if item.target.size <= horizon]
    if short:
        raise ClientError(f"Test series {short[0]} has {channels.test[short[0]].target.size} "
                          f"values; each test series needs more than prediction_length="
                          f"{horizon} (its last prediction_length values are the ones scored)")


def batches_per_epoch(series: list[Series], params: Hyperparameters) -> int:
    """Batches of ``mini_batch_size`` windows covering the series' points once per epoch."""
    windows = math.ceil(sum(item.target.size for item in series) / params.prediction_length)
    return max(1, math.ceil(windows / params.mini_batch_size))

