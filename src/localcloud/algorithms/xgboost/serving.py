"""What the SageMaker XGBoost image does when SageMaker starts it with ``serve``.

Requests (https://docs.aws.amazon.com/sagemaker/latest/dg/xgboost-how-to-use.html#InputOutput-XGBoost
and https://docs.aws.amazon.com/sagemaker/latest/dg/cdf-inference.html): ``text/csv`` rows of
features without the label column, or ``text/libsvm`` lines ``<index>:<value> ...``; one or many
records per request.

Responses, as sagemaker-xgboost-container's ``algorithm_mode/serve.py`` writes them:

- batch transform (``SAGEMAKER_BATCH`` set by the platform): one prediction per line, each line
  ending in a newline, whatever the release;
- endpoints of 1.2-2 and later: the Accept type decides (``*/*`` or none means
  ``$SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT``, else ``text/csv``). ``text/csv`` is one prediction
  per line (a multi-class row is its class probabilities joined by commas), each line ending in
  a newline, as ``numpy.savetxt`` writes it; ``application/json`` is a JSON array of the
  predictions. A 2023 notebook run against a real endpoint reads such a body with
  ``body.split("\\n")[:-1]``;
- endpoints of earlier releases (0.72 to 1.2-1): the predictions joined by commas on one line,
  ``text/csv`` whatever the Accept header says.

Numbers are Python ``str(float)`` renderings (``0.7213``, ``17.5``), which every CSV or JSON
reader parses.
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import threading
from pathlib import Path

import numpy as np
import xgboost
from scipy import sparse

from localcloud.containers.errors import AlgorithmError, ClientError, UnsupportedContentType
from localcloud.containers.media_types import accepted_types, media_type
from localcloud.containers.registry import IMAGE_ENV

from . import data
from .releases import MODEL_FILE, Release, release_from_image

log = logging.getLogger(__name__)

#: Set (to any value) by the platform in batch transform containers.
BATCH_ENV = "SAGEMAKER_BATCH"
#: The response type for requests whose Accept is ``*/*`` or missing.
DEFAULT_ACCEPT_ENV = "SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT"
CSV_TYPE = "text/csv"
JSON_TYPE = "application/json"
SUPPORTED_ACCEPTS = (CSV_TYPE, JSON_TYPE)
#: Accept types the real container answers only in its "selectable inference" mode.
SELECTABLE_ONLY_ACCEPTS = ("application/jsonlines", "application/x-recordio-protobuf")
#: Boosters predicted with ``Booster.inplace_predict``. gblinear does not implement it, and for
#: dart it differs from ``Booster.predict`` (which the real server calls) in the last float bit.
INPLACE_BOOSTERS = ("gbtree",)


class Handler:
    """Serves an ``xgboost-model`` artifact the way the SageMaker XGBoost endpoint does."""

    def __init__(self) -> None:
        self._release: Release = release_from_image(os.environ.get(IMAGE_ENV))
        self._batch = bool(os.environ.get(BATCH_ENV))
        self._booster: xgboost.Booster | None = None
        self._num_features = 0
        self._rounds = (0, 0)  # all of them
        self._predicts_inplace = False
        # One prediction at a time, as each worker of the real gunicorn server does.
        self._lock = threading.Lock()

    def load(self, model_dir: Path) -> None:
        """Load the model extracted from model.tar.gz (pickled or in XGBoost's format)."""
        self._booster = load_booster(model_file(model_dir))
        self._booster.set_param("nthread", 1)
        self._num_features = self._booster.num_features()
        # Models from releases that keep every tree record the best round; predict with it, as
        # the real server does through best_ntree_limit.
        best_iteration = self._booster.attr("best_iteration")
        if best_iteration is not None:
            self._rounds = (0, int(best_iteration) + 1)
        self._predicts_inplace = booster_kind(self._booster) in INPLACE_BOOSTERS
        log.info("Loaded a model with %d features, %d boosting rounds (SageMaker XGBoost %s)",
                 self._num_features, self._booster.num_boosted_rounds(),
                 self._release.tag)

    def invoke(self, body: bytes, content_type: str, accept: str) -> tuple[bytes, str]:
        """Predict for every record of the body and encode the predictions."""
        data_format = data.request_format(content_type)
        records = data.read_request(body, data_format)
        predictions = self._predict(self._features(records, data_format))
        return encode_predictions(predictions, accept, self._release, batch=self._batch)

    def _features(self, records: data.Records, data_format: str) -> np.ndarray | sparse.csr_matrix:
        """The request's features, after checking their width against the model's."""
        expected = self._num_features
        if data_format == data.CSV and records.num_columns != expected:
            raise ClientError(f"The model expects {expected} features per row, but the request "
                              f"rows have {records.num_columns} values; send the features only, "
                              "without the label column")
        if records.num_columns > expected:
            raise ClientError(f"Feature index {records.num_columns - 1} is out of range: the "
                              f"model was trained on {expected} features (indices 0 to "
                              f"{expected - 1})")
        return records.widened_features(expected)

    def _predict(self, features: np.ndarray | sparse.csr_matrix) -> np.ndarray:
        with self._lock:
            if self._predicts_inplace:
                # Straight from the array: no DMatrix to build for every request.
                return self._booster.inplace_predict(features, iteration_range=self._rounds,
                                                     validate_features=False)
            return self._booster.predict(xgboost.DMatrix(features), iteration_range=self._rounds,
                                         validate_features=False)


def booster_kind(booster: xgboost.Booster) -> str:
    """``gbtree``, ``dart`` or ``gblinear``: the booster a model was trained with."""
    return json.loads(booster.save_config())["learner"]["gradient_booster"]["name"]


def model_file(model_dir: Path) -> Path:
    """``xgboost-model``, or else the only file the artifact holds (the real server's rule)."""
    preferred = model_dir / MODEL_FILE
    if preferred.is_file():
        return preferred
    files = sorted(path for path in model_dir.glob("*") if path.is_file())
    if not files:
        raise AlgorithmError(f"No model in {model_dir}: expected {MODEL_FILE} from model.tar.gz")
    return files[0]


def load_booster(path: Path) -> xgboost.Booster:
    """A Booster from a pickle (releases before 1.3-1) or from XGBoost's own model format."""
    raw = path.read_bytes()
    try:
        # Pickles of model artifacts are trusted here exactly as the real container trusts them.
        model = pickle.loads(raw)
    except Exception:  # not a pickle: any unpickling error means "try XGBoost's format"
        booster = xgboost.Booster()
        try:
            booster.load_model(bytearray(raw))
        except xgboost.core.XGBoostError as error:
            raise AlgorithmError(f"{path.name} is neither a pickled Booster nor an XGBoost "
                                 f"model: {error}") from error
        return booster
    if hasattr(model, "get_booster"):  # a pickled scikit-learn wrapper
        model = model.get_booster()
    if not isinstance(model, xgboost.Booster):
        raise AlgorithmError(f"{path.name} holds a pickled {type(model).__name__}, not a Booster")
    return model


# -- response encoding -----------------------------------------------------------------------

def encode_predictions(predictions: np.ndarray, accept: str, release: Release,
                       batch: bool = False) -> tuple[bytes, str]:
    """The response body and content type for ``predictions`` (see the module docstring)."""
    rows = predictions.tolist()
    if batch:
        return ("\n".join(map(str, rows)) + "\n").encode(), CSV_TYPE
    if not release.encodes_by_accept:
        return ",".join(map(str, rows)).encode(), CSV_TYPE
    response_type = response_type_for(accept)
    if response_type == JSON_TYPE:
        return json.dumps(rows).encode(), JSON_TYPE
    return "".join(_csv_line(row) for row in rows).encode(), CSV_TYPE


def _csv_line(row) -> str:
    values = row if isinstance(row, list) else [row]
    return ",".join(map(str, values)) + "\n"


def response_type_for(accept: str) -> str:
    """The media type to answer in, from the Accept header (first type of a list)."""
    requested = accepted_types(accept)
    kind = requested[0] if requested else ""
    if kind in ("", "*/*"):
        kind = media_type(os.environ.get(DEFAULT_ACCEPT_ENV, CSV_TYPE))
    if kind in SUPPORTED_ACCEPTS:
        return kind
    if kind in SELECTABLE_ONLY_ACCEPTS:
        raise UnsupportedContentType(
            f"Accept {kind} is answered by SageMaker XGBoost only in its selectable-inference "
            "mode (SAGEMAKER_INFERENCE_OUTPUT), which localcloud does not implement; ask for "
            "text/csv or application/json")
    raise UnsupportedContentType(f"Accept type {kind} is not supported. Please use supported "
                                 f"accept types: {', '.join(SUPPORTED_ACCEPTS)}")
