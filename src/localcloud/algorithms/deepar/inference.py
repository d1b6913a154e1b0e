"""The serving side of DeepAR: forecasts with their mean, quantiles and sample paths.

Requests (https://docs.aws.amazon.com/sagemaker/latest/dg/deepar-in-formats.html):

- ``application/json``: ``{"instances": [{"start": ..., "target": [...], "cat": [...],
  "dynamic_feat": [[...]]}, ...], "configuration": {"num_samples": 50, "output_types": ["mean",
  "quantiles", "samples"], "quantiles": ["0.5", "0.9"]}}`` (configuration optional);
- ``application/jsonlines`` (batch transform): one instance per line, configured by the
  ``DEEPAR_INFERENCE_CONFIG`` environment variable (a JSON configuration object).

Answers, one per instance and in order, each array ``prediction_length`` long from the time step
after the instance's last target value (from ``start`` when the target is empty)::

    {"predictions": [{"quantiles": {"0.5": [...], "0.9": [...]}, "mean": [...],
                      "samples": [[...], ...]}, ...]}

or, for JSON Lines, one prediction object per line. Sampling is seeded per request: the same
request gets the same answer.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from localcloud.algorithms.inputs.invocations import JSON, JSONLINES, choose_response_type
from localcloud.containers.errors import ClientError, UnsupportedContentType
from localcloud.containers.media_types import accepted_types, media_type

from .runtime import prepare
from .series import Series, check_features, parse_series
from .settings import ModelSettings

log = logging.getLogger(__name__)

ALGORITHM = "DeepAR"
CONFIG_ENV = "DEEPAR_INFERENCE_CONFIG"
OUTPUT_TYPES = ("mean", "quantiles", "samples")
DEFAULT_QUANTILES = ("0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9")
RESPONSE_TYPES = (JSON, JSONLINES)


@dataclass(frozen=True)
class Configuration:
    """What to return: how many sample paths, which outputs, which quantiles."""

    num_samples: int = 100
    output_types: tuple[str, ...] = ("mean", "quantiles")
    quantiles: tuple[str, ...] = DEFAULT_QUANTILES

    @classmethod
    def parse(cls, document, where: str) -> Configuration:
        """A configuration object (missing fields take the defaults), checked."""
        if document is None:
            return cls()
        if not isinstance(document, dict):
            raise ClientError(f"{where} must be a JSON object such as "
                              '{"num_samples": 50, "output_types": ["quantiles"], '
                              '"quantiles": ["0.1", "0.5", "0.9"]}')
        unknown = sorted(set(document) - {"num_samples", "output_types", "quantiles"})
        if unknown:
            raise ClientError(f"{where}: unknown field(s) {', '.join(unknown)}; expected "
                              "num_samples, output_types and quantiles")
        return cls(num_samples=_num_samples(document.get("num_samples", 100), where),
                   output_types=_output_types(document.get("output_types",
                                                           list(cls.output_types)), where),
                   quantiles=_quantiles(document.get("quantiles", list(DEFAULT_QUANTILES)),
                                        where))


def _num_samples(value, where: str) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ClientError(f"{where}: num_samples must be a positive integer, got {value!r}")
    return value


def _output_types(values, where: str) -> tuple[str, ...]:
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, list) or not values or any(v not in OUTPUT_TYPES for v in values):
        raise ClientError(f"{where}: output_types must be a non-empty list of "
                          f"{', '.join(OUTPUT_TYPES)}, got {values!r}")
    return tuple(values)


def _quantiles(values, where: str) -> tuple[str, ...]:
    if not isinstance(values, list):
        raise ClientError(f'{where}: quantiles must be a list such as ["0.1", "0.5", "0.9"]')
    names = []
    for value in values:
        try:
            level = float(value)
        except (TypeError, ValueError):
            level = -1.0
        if isinstance(value, bool) or not 0.0 < level < 1.0:
            raise ClientError(f"{where}: each quantile must be a number between 0 and 1 "
                              f"(exclusive), got {value!r}")
        names.append(str(value))
    return tuple(names)


def batch_configuration() -> Configuration:
    """The configuration of JSON Lines requests, from ``DEEPAR_INFERENCE_CONFIG``."""
    text = os.environ.get(CONFIG_ENV, "").strip()
    if not text:
        return Configuration()
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ClientError(f"{CONFIG_ENV} is not valid JSON: {error}") from None
    return Configuration.parse(document, CONFIG_ENV)


class Handler:
    """The :class:`~localcloud.containers.serving.InferenceHandler` of DeepAR."""

    def __init__(self) -> None:
        self.predictor = None
        self._model = None
        self.settings: ModelSettings | None = None
        self.batch_config = Configuration()
        # Seeded sampling uses torch's global generator: one forecast at a time.
        self._lock = threading.Lock()

    def load(self, model_dir: Path) -> None:
        self.batch_config = batch_configuration()
        prepare()
        from . import model  # torch and GluonTS: only in the serving process

        self._model = model
        self.predictor, self.settings = model.load_predictor(model_dir)
        log.info("Loaded DeepAR: frequency %s, prediction_length %d, %d cat field(s), %d "
                 "dynamic feature(s)", self.settings.time_freq, self.settings.prediction_length,
                 len(self.settings.cardinality), self.settings.num_dynamic_feat)

    def invoke(self, body: bytes, content_type: str, accept: str) -> tuple[bytes, str]:
        kind = media_type(content_type)
        if kind not in RESPONSE_TYPES:
            raise UnsupportedContentType(f"Content type {content_type!r} is not supported; "
                                         f"{ALGORITHM} reads {', '.join(RESPONSE_TYPES)}")
        # Without an Accept type, answer in the request's format (batch transform: JSON Lines).
        wanted = accepted_types(accept)
        response_type = (choose_response_type(accept, RESPONSE_TYPES, ALGORITHM)
                         if wanted and wanted != ["*/*"] else kind)
        instances, config = self._parse(body, kind)
        predictions = self.forecast(instances, config)
        if response_type == JSONLINES:
            return "".join(json.dumps(item) + "\n" for item in predictions).encode(), JSONLINES
        return json.dumps({"predictions": predictions}).encode(), JSON

    def _parse(self, body: bytes, kind: str) -> tuple[list[Series], Configuration]:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise ClientError("The request body is not UTF-8 text") from None
        if not text.strip():
            raise ClientError("The request body is empty")
        if kind == JSONLINES:
            lines = [(number, line) for number, line in enumerate(text.splitlines(), start=1)
                     if line.strip()]
            return ([parse_series(_loads(line, f"line {number}"), f"line {number}")
                     for number, line in lines], self.batch_config)
        document = _loads(text, "body")
        if not isinstance(document, dict) or not isinstance(document.get("instances"), list):
            raise ClientError('A DeepAR request must look like {"instances": [{"start": '
                              '"2009-11-01 00:00:00", "target": [...]}], "configuration": {...}}')
        instances = [parse_series(item, f"instance {index}")
                     for index, item in enumerate(document["instances"])]
        return instances, Configuration.parse(document.get("configuration"), "configuration")

    def forecast(self, instances: list[Series], config: Configuration) -> list[dict]:
        """One prediction object per instance."""
        settings = self.settings
        check_features(instances, len(settings.cardinality), settings.num_dynamic_feat,
                       settings.prediction_length, "request")
        entries = [self._model.data_entry(item, settings) for item in instances]
        with self._lock:
            paths = self._model.sample_paths(self.predictor, entries, config.num_samples)
        return [prediction_object(samples, config) for samples in paths]


def prediction_object(samples: np.ndarray, config: Configuration) -> dict:
    """``{"quantiles": {...}, "mean": [...], "samples": [...]}`` with the requested outputs."""
    samples = np.asarray(samples, dtype=np.float64)
    outputs = {
        "mean": lambda: samples.mean(axis=0).tolist(),
        "quantiles": lambda: {name: np.quantile(samples, float(name), axis=0).tolist()
                              for name in config.quantiles},
        "samples": lambda: samples.tolist(),
    }
    return {kind: outputs[kind]() for kind in config.output_types}


def _loads(text: str, where: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ClientError(f"The request {where} is not valid JSON: {error}") from None
