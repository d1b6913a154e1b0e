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

from localcloud.containers.errors import AlgorithmError, ClientError
from localcloud.containers.registry import IMAGE_ENV

from . import data
from .releases import Release, release_from_image
from .training import MODEL_FILE

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


class Handler:
    """Serves an ``xgboost-model`` artifact the way the SageMaker XGBoost endpoint does."""

    def __init__(self) -> None:
        self._release: Release = release_from_image(os.environ.get(IMAGE_ENV))
        self._batch = bool(os.environ.get(BATCH_ENV))
        self._booster: xgboost.Booster | None = None
        # One prediction at a time, as each worker of the real gunicorn server does.
        self._lock = threading.Lock()

    def load(self, model_dir: Path) -> None:
        """Load the model extracted from model.tar.gz (pickled or in XGBoost's format)."""
        self._booster = load_booster(model_file(model_dir))
        self._booster.set_param("nthread", 1)
        log.info("Loaded a model with %d features, %d boosting rounds (SageMaker XGBoost %s)",
                 self._booster.num_features(), self._booster.num_boosted_rounds(),
                 self._release.tag)

    def invoke(self, body: bytes, content_type: str, accept: str) -> tuple[bytes, str]:
        """Predict for every record of the body and encode the predictions."""
        data_format = data.request_format(content_type)
        records = data.read_request(body, data_format)
        predictions = self._predict(self._matrix(records, data_format))
        return encode_predictions(predictions, accept, self._release, batch=self._batch)

    def _matrix(self, records: data.Records, data_format: str) -> xgboost.DMatrix:
        """The request as a DMatrix, after checking its width against the model's."""
        expected = self._booster.num_features()
        if data_format == data.CSV and records.num_columns != expected:
            raise ClientError(f"The model expects {expected} features per row, but the request "
                              f"rows have {records.num_columns} values; send the features only, "
                              "without the label column")
        if records.num_columns > expected:
            raise ClientError(f"Feature index {records.num_columns - 1} is out of range: the "
                              f"model was trained on {expected} features (indices 0 to "
                              f"{expected - 1})")
        return records.to_dmatrix(expected)

    def _predict(self, matrix: xgboost.DMatrix) -> np.ndarray:
        # Models from releases that keep every tree record the best round; predict with it, as
        # the real server does through best_ntree_limit.
        best_iteration = self._booster.attr("best_iteration")
        rounds = (0, int(best_iteration) + 1) if best_iteration is not None else (0, 0)
        with self._lock:
            return self._booster.predict(matrix, iteration_range=rounds, validate_features=False)


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
    media_type = (accept or "").split(",")[0].split(";")[0].strip().lower()
    if media_type in ("", "*/*"):
        media_type = os.environ.get(DEFAULT_ACCEPT_ENV, CSV_TYPE).lower()
    if media_type in SUPPORTED_ACCEPTS:
        return media_type
    if media_type in SELECTABLE_ONLY_ACCEPTS:
        raise ClientError(f"Accept {media_type} is answered by SageMaker XGBoost only in its "
                          "selectable-inference mode (SAGEMAKER_INFERENCE_OUTPUT), which "
                          "localcloud does not implement; ask for text/csv or application/json")
    raise ClientError(f"Accept type {media_type} is not supported. Please use supported accept "
                      f"types: {', '.join(SUPPORTED_ACCEPTS)}")
